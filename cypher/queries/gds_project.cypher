// name: gds_project
// description: Project the COORDINATED_WITH edges of a run, undirected and weighted, into a GDS in-memory graph named tierscope-<run> (replacing one of that name), which gds_leiden, gds_wcc and gds_agreement read. Only the library's own queries may project (docs/gds.md).
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// example: tierscope query gds_project -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WHERE run IS NOT NULL
CALL (run) {
  CALL gds.graph.drop('tierscope-' + run, false) YIELD graphName
  RETURN count(graphName) AS replaced
}
// one edge per pair of accounts: the weights of its edges (a run's kinds) add up
MATCH (a:Account)-[r:COORDINATED_WITH {run: run}]-(b:Account)
WHERE a.id < b.id
WITH run, replaced, a, b, sum(coalesce(r.weight, 1.0)) AS weight
WITH run, replaced,
     gds.graph.project('tierscope-' + run, a, b, {relationshipProperties: {weight: weight}},
                       {undirectedRelationshipTypes: ['*']}) AS g
RETURN run,
       g.graphName AS graph,
       g.nodeCount AS accounts,
       g.relationshipCount / 2 AS edges,
       replaced > 0 AS replaced
