// name: detect/latest_run
// description: The id of the newest finished detection run.
// mode: read
MATCH (r:DetectionRun)
WHERE r.finished_at IS NOT NULL
RETURN r.id AS id
ORDER BY r.started_at DESC
LIMIT 1
