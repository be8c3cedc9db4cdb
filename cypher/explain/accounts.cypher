// name: explain/accounts
// description: Two (or more) accounts by id: whether each exists, its screen name, and its memberships in a run (community, operation, tier).
// mode: read
// param: run: string -- a detection run id
// param: ids: list -- account ids
UNWIND $ids AS id
OPTIONAL MATCH (a:Account {id: id})
RETURN id, a IS NOT NULL AS found, a.screen_name AS screen_name,
       COLLECT {
         MATCH (a)-[m:IN_COMMUNITY {run: $run}]->(c:Community)
         RETURN {community_id: c.id, operation_id: c.operation_id, tier: m.tier,
                 flagged: coalesce(c.flagged, false)} AS membership
         ORDER BY c.id
       } AS memberships
