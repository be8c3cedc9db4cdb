// name: report/feeds
// description: The FEEDS flow (retweets from one community's accounts to another's) into or out of some communities, strongest first.
// mode: read
// param: run: string -- a detection run id
// param: communities: list -- community ids of the run
// param: limit: int = 100 -- how many FEEDS edges
MATCH (s:Community {run: $run})-[f:FEEDS {run: $run}]->(t:Community {run: $run})
WHERE s.id IN $communities OR t.id IN $communities
RETURN s.id AS source, t.id AS target, f.weight AS weight
ORDER BY weight DESC, source, target
LIMIT $limit
