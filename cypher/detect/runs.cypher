// name: detect/runs
// description: Every detection run, newest first, with its kind, options and summary.
// mode: read
MATCH (r:DetectionRun)
RETURN r.id AS id, r.kind AS kind, toString(r.started_at) AS started_at,
       toString(r.finished_at) AS finished_at, r.params AS params, r.summary AS summary
ORDER BY r.started_at DESC
