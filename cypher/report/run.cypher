// name: report/run
// description: A detection run's options, times and summary, with its totals of communities, operations and tiers.
// mode: read
// param: run: string -- a detection run id
MATCH (r:DetectionRun {id: $run})
OPTIONAL MATCH (r)-[:FOUND]->(c:Community)
RETURN r.id AS id, r.kind AS kind, r.params AS params,
       toString(r.started_at) AS started_at, toString(r.finished_at) AS finished_at,
       count(c) AS communities,
       count(CASE WHEN c.flagged THEN 1 END) AS flagged_communities,
       count(DISTINCT c.operation_id) AS operations,
       count(DISTINCT CASE WHEN c.flagged THEN c.operation_id END) AS flagged_operations,
       coalesce(sum(c.principals), 0) AS principals,
       coalesce(sum(c.core), 0) AS core,
       coalesce(sum(c.amplifiers), 0) AS amplifiers,
       coalesce(sum(CASE WHEN c.flagged THEN c.core + c.amplifiers END), 0) AS flagged_accounts
