// name: gds_drop
// description: Drop the GDS in-memory graph of a run (tierscope-<run>, made by gds_project) and free the server memory it holds; no row when there is none.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// example: tierscope query gds_drop -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WHERE run IS NOT NULL
CALL gds.graph.drop('tierscope-' + run, false) YIELD graphName, nodeCount, relationshipCount
RETURN run,
       graphName AS graph,
       nodeCount AS accounts,
       relationshipCount / 2 AS edges
