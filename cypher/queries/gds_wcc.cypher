// name: gds_wcc
// description: Weakly connected components of a run's projected graph (run gds_project first), largest first: accounts tied by any chain of coordination, with the tierscope communities they are in.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: limit: int = 100 -- at most this many components
// example: tierscope query gds_wcc -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WHERE run IS NOT NULL
CALL gds.wcc.stream('tierscope-' + run, {concurrency: 1}) YIELD nodeId, componentId
WITH run, componentId, gds.util.asNode(nodeId) AS a
OPTIONAL MATCH (a)-[:IN_COMMUNITY {run: run}]->(c:Community)
WITH run, componentId, a, c
ORDER BY a.screen_name
RETURN run,
       componentId AS component,
       count(DISTINCT a) AS size,
       count(c) AS placed,
       collect(DISTINCT c.id) AS tierscope_communities,
       collect(DISTINCT a.screen_name)[..10] AS sample
ORDER BY size DESC, component
LIMIT $limit
