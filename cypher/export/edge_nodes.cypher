// name: export/edge_nodes
// description: Accounts by id with their tier, community and operation in a run (blank and -1 when untiered).
// mode: read
// param: run: string -- a detection run id
// param: ids: list -- account ids
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[m:IN_COMMUNITY {run: $run}]->(c:Community)
RETURN a.id AS id, coalesce(a.screen_name, '') AS screen_name, coalesce(m.tier, '') AS tier,
       coalesce(c.id, -1) AS community_id, coalesce(c.operation_id, -1) AS operation_id
ORDER BY id
