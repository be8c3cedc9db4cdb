// name: detect/run_exists
// description: Whether a finished detection run with this id exists.
// mode: read
// param: id: string
MATCH (r:DetectionRun {id: $id})
RETURN r.id AS id, r.finished_at IS NOT NULL AS finished, r.params AS params, r.kind AS kind
