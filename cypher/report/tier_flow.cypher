// name: report/tier_flow
// description: Retweets between the tiers of some communities: who (community, tier) amplifies whom; self-retweets left out.
// mode: read
// param: run: string -- a detection run id
// param: communities: list -- community ids of the run
UNWIND $communities AS cid
MATCH (c:Community {run: $run, id: cid})<-[m:IN_COMMUNITY {run: $run}]-(a:Account)
WHERE m.tier <> 'principal'
MATCH (a)-[:POSTED]->()-[:RETWEET_OF]->(o)
// One row per retweeted post before looking up its author: far fewer rows than retweets.
WITH c.id AS source, m.tier AS source_tier, o, collect(a) AS retweeters
MATCH (o)<-[:POSTED]-(b:Account)-[n:IN_COMMUNITY {run: $run}]->(d:Community)
WHERE d.id IN $communities
RETURN source, source_tier, d.id AS target, n.tier AS target_tier,
       sum(size([r IN retweeters WHERE r <> b])) AS retweets
ORDER BY source, source_tier, target, target_tier
