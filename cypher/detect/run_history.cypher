// name: detect/run_history
// description: How a run was cut into windows (`detect --by`): the unit and the history JSON, or nulls.
// mode: read
// param: id: string -- a detection run id
MATCH (r:DetectionRun {id: $id})
RETURN r.by AS by, r.history AS history
