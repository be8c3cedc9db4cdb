// name: impact/stored
// description: The takedown assessments kept for a run, newest first, as their JSON.
// mode: read
// param: run: string -- a detection run id
MATCH (:DetectionRun {id: $run})-[:ASSESSED]->(i:Impact)
RETURN i.result AS result
ORDER BY i.created_at DESC
