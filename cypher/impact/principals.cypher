// name: impact/principals
// description: The principals of a run, of one operation or of one community, with the communities that push them.
// mode: read
// param: run: string -- a detection run id
// param: operation: int -- an operation id, or -1 for any
// param: community: int -- a community id, or -1 for any
MATCH (p:Account)-[:IN_COMMUNITY {run: $run, tier: 'principal'}]->(c:Community)
WHERE ($operation < 0 OR c.operation_id = $operation) AND ($community < 0 OR c.id = $community)
RETURN p.id AS account_id, p.screen_name AS screen_name, collect(DISTINCT c.id) AS communities
ORDER BY account_id
