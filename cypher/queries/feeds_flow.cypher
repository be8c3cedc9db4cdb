// name: feeds_flow
// description: The community-to-community FEEDS flow of a run: which community's accounts retweet which, how much, by how many accounts, and how unlikely by chance.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: limit: int = 100 -- at most this many FEEDS edges
// example: tierscope query feeds_flow -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (s:Community {run: run})-[f:FEEDS {run: run}]->(t:Community)
CALL (run, s) {
  MATCH (s)-[out:FEEDS {run: run}]->(:Community)
  RETURN sum(out.weight) AS source_out
}
RETURN s.id AS source_community,
       s.operation_id AS source_operation,
       s.flagged AS source_flagged,
       t.id AS target_community,
       t.operation_id AS target_operation,
       t.flagged AS target_flagged,
       f.weight AS weight,
       toFloat(f.weight) / source_out AS share_of_source,
       s.operation_id = t.operation_id AS same_operation,
       f.feeders AS feeders,
       f.p_value AS p_value
ORDER BY weight DESC, source_community, target_community
LIMIT $limit
