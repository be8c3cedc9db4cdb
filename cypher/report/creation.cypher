// name: report/creation
// description: Account creations per day of some communities, by tier.
// mode: read
// param: run: string -- a detection run id
// param: communities: list -- community ids of the run
UNWIND $communities AS cid
MATCH (c:Community {run: $run, id: cid})<-[m:IN_COMMUNITY {run: $run}]-(a:Account)
WHERE a.created_at IS NOT NULL
WITH c.id AS community, m.tier AS tier, a.created_at.epochSeconds / 86400 AS day, count(*) AS n
ORDER BY community, tier, day
RETURN community, tier, collect(day * 86400) AS times, collect(n) AS counts
