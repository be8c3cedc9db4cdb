// name: report/timeline
// description: Activity per hour of some communities by tier: the principals' own posts, the core's and amplifiers' retweets.
// mode: read
// param: run: string -- a detection run id
// param: communities: list -- community ids of the run
UNWIND $communities AS cid
MATCH (c:Community {run: $run, id: cid})<-[m:IN_COMMUNITY {run: $run}]-(:Account)-[:POSTED]->(p:Post)
WHERE p.created_at IS NOT NULL
  AND (m.tier = 'principal') <> EXISTS { (p)-[:RETWEET_OF]->() }
WITH c.id AS community, m.tier AS tier, p.created_at.epochSeconds / 3600 AS hour, count(*) AS n
ORDER BY community, tier, hour
RETURN community, tier, collect(hour * 3600) AS times, collect(n) AS counts
