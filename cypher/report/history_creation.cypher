// name: report/history_creation
// description: Creation days of the accounts each operation track ever held, by their first tier in it.
// mode: read
// param: run: string -- a detection run id
// param: tracks: list -- track numbers
UNWIND $tracks AS track
MATCH (:DetectionRun {id: $run})-[:WINDOW]->(c:Community {track: track})
MATCH (a:Account)-[m:IN_COMMUNITY {run: c.run}]->(c)
WITH track, a, m ORDER BY c.window
WITH track, a, head(collect(m.tier)) AS tier
WHERE a.created_at IS NOT NULL
WITH track, tier, a.created_at.epochSeconds / 86400 AS day, count(*) AS n
ORDER BY track, tier, day
RETURN track, tier, collect(day * 86400) AS times, collect(n) AS counts
