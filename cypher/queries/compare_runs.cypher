// name: compare_runs
// description: How two detection runs differ account by account: new, gone, or with another tier, community, flag or operation.
// mode: read
// param: run_a: string = "previous" -- the older run: an id, latest or previous (the run before latest)
// param: run_b: string = "latest" -- the newer run: an id, latest or previous
// param: changed_only: bool = true -- leave out the accounts that did not change
// param: limit: int = 1000 -- at most this many accounts
// example: tierscope query compare_runs -p run_a=previous -p run_b=latest
WITH COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
               RETURN r.id ORDER BY r.started_at DESC } AS finished
WITH CASE $run_a WHEN 'latest' THEN finished[0] WHEN 'previous' THEN finished[1]
                 ELSE $run_a END AS run_a,
     CASE $run_b WHEN 'latest' THEN finished[0] WHEN 'previous' THEN finished[1]
                 ELSE $run_b END AS run_b
MATCH (a:Account)-[m:IN_COMMUNITY]->(c:Community)
WHERE m.run IN [run_a, run_b]
WITH run_a, run_b, a,
     collect({run: m.run, tier: m.tier, community: c.id, operation: c.operation_id,
              flagged: m.flagged}) AS ms
WITH a, head([x IN ms WHERE x.run = run_a]) AS ma, head([x IN ms WHERE x.run = run_b]) AS mb
WITH a, ma, mb,
     CASE WHEN ma IS NULL THEN 'new'
          WHEN mb IS NULL THEN 'gone'
          WHEN ma.tier <> mb.tier THEN 'tier'
          WHEN ma.community <> mb.community THEN 'community'
          WHEN ma.flagged <> mb.flagged THEN 'flag'
          WHEN ma.operation <> mb.operation THEN 'operation'
          ELSE 'same' END AS change
WHERE NOT $changed_only OR change <> 'same'
RETURN a.id AS account_id,
       a.screen_name AS screen_name,
       change,
       ma.tier AS tier_a,
       mb.tier AS tier_b,
       ma.community AS community_a,
       mb.community AS community_b,
       ma.operation AS operation_a,
       mb.operation AS operation_b,
       ma.flagged AS flagged_a,
       mb.flagged AS flagged_b
ORDER BY CASE change WHEN 'new' THEN 0 WHEN 'gone' THEN 1 WHEN 'tier' THEN 2
                     WHEN 'community' THEN 3 WHEN 'flag' THEN 4 WHEN 'operation' THEN 5
                     ELSE 6 END,
         account_id
LIMIT $limit
