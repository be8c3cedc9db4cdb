// name: load/accounts
// description: Merge one batch of accounts by id; only the properties the source knows are set.
// mode: write
// param: rows: list -- [{id, props, created_at}] with created_at in Unix seconds or null
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
SET a += r.props,
    a.created_at = CASE WHEN r.created_at IS NULL THEN a.created_at
                        ELSE datetime({epochSeconds: r.created_at}) END
