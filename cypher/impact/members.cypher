// name: impact/members
// description: The accounts a takedown scope removes: members of a run (all flagged ones, one operation or one community) in the given tiers, principals never.
// mode: read
// param: run: string -- a detection run id
// param: operation: int -- an operation id, or -1 for any
// param: community: int -- a community id, or -1 for any
// param: tiers: list -- tiers to remove: core, amplifier, member
// With neither an operation nor a community, the flagged accounts of the whole run.
MATCH (a:Account)-[m:IN_COMMUNITY {run: $run}]->(c:Community)
WHERE m.tier IN $tiers
  AND ($operation >= 0 OR $community >= 0 OR m.flagged)
  AND ($operation < 0 OR c.operation_id = $operation)
  AND ($community < 0 OR c.id = $community)
RETURN a.id AS account_id, min(m.tier) AS tier
ORDER BY account_id
