// name: explain/run
// description: A finished detection run's kinds and options (params JSON), for explain and impact.
// mode: read
// param: run: string -- a detection run id
MATCH (r:DetectionRun {id: $run})
RETURN r.id AS id, r.kind AS kind, r.params AS params
