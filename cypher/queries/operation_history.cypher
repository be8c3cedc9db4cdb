// name: operation_history
// description: How each operation grew, window by window (a run made with `detect --by`): size by tier, new accounts, the overlap with the window before, and the events.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: track: int = 0 -- one operation track, or 0 for every track that was flagged in some window
// example: tierscope query operation_history -p track=1
// Each window's lead community (the best-ranked of the operation) carries the operation's
// numbers; CONTINUES links it to the lead community it continues in the window before.
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (:DetectionRun {id: run})-[:WINDOW]->(c:Community {lead: true})
WHERE ($track = 0 AND c.operation_track) OR c.track = $track
OPTIONAL MATCH (before:Community)-[k:CONTINUES {run: run, continues: true}]->(c)
RETURN c.track AS track, date(c.window_start) AS window_start, date(c.window_end) AS window_end,
       c.flagged AS flagged, c.op_size AS accounts, c.op_principals AS principals,
       c.op_core AS core, c.op_amplifiers AS amplifiers, c.op_newcomers AS new_accounts,
       k.jaccard AS jaccard_with_before, c.events AS events
ORDER BY track, window_start
