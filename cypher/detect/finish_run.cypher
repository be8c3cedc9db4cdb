// name: detect/finish_run
// description: Mark a run complete with its summary; only finished runs count as latest.
// mode: write
// param: id: string
// param: summary: string -- JSON
MATCH (r:DetectionRun {id: $id})
SET r.finished_at = datetime(), r.summary = $summary
RETURN r.id AS id
