// name: impact/tiers
// description: The tier each given account has in a run (core, amplifier, member or principal), or none when it is in no community.
// mode: read
// param: run: string -- a detection run id
// param: ids: list -- account ids
UNWIND $ids AS id
OPTIONAL MATCH (a:Account {id: id})
RETURN id AS account_id, a IS NOT NULL AS found,
       coalesce(head(COLLECT { MATCH (a)-[m:IN_COMMUNITY {run: $run}]->()
                               RETURN m.tier ORDER BY m.tier }), 'none') AS tier
