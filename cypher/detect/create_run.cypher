// name: detect/create_run
// description: Record a detection run before its results are written, so runs never mix.
// mode: write
// param: id: string
// param: kind: string
// param: params: string -- the run's options as JSON
CREATE (r:DetectionRun {id: $id, kind: $kind, params: $params, started_at: datetime()})
RETURN r.id AS id
