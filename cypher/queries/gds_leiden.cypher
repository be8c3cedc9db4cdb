// name: gds_leiden
// description: GDS Leiden communities of a run's projected graph (run gds_project first), largest first: their size, how many accounts tierscope placed and in which tiers, and the tierscope communities they are in.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: gamma: float = 1.0 -- resolution: higher gives more, smaller communities
// param: seed: int = 42 -- random seed: the same seed gives the same communities
// param: limit: int = 100 -- at most this many communities
// example: tierscope query gds_leiden -p run=latest -p gamma=1.0
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WHERE run IS NOT NULL
// one thread, so that a seed always gives the same communities (gds_agreement relies on it)
CALL gds.leiden.stream('tierscope-' + run,
                       {relationshipWeightProperty: 'weight', gamma: $gamma,
                        randomSeed: $seed, concurrency: 1})
YIELD nodeId, communityId
WITH run, communityId, gds.util.asNode(nodeId) AS a
OPTIONAL MATCH (a)-[m:IN_COMMUNITY {run: run}]->(c:Community)
WITH run, communityId, a, m, c
ORDER BY a.screen_name
RETURN run,
       communityId AS leiden_community,
       count(DISTINCT a) AS size,
       count(c) AS placed,
       count(CASE m.tier WHEN 'principal' THEN 1 END) AS principals,
       count(CASE m.tier WHEN 'core' THEN 1 END) AS core,
       count(CASE m.tier WHEN 'amplifier' THEN 1 END) AS amplifiers,
       collect(DISTINCT c.id) AS tierscope_communities,
       collect(DISTINCT a.screen_name)[..10] AS sample
ORDER BY size DESC, leiden_community
LIMIT $limit
