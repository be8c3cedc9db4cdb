// name: load/posts
// description: Merge one batch of posts by id, stubs of originals outside the archive included.
// mode: write
// param: rows: list -- [{id, props, created_at}] with created_at in Unix seconds or null
UNWIND $rows AS r
MERGE (p:Post {id: r.id})
SET p += r.props,
    p.created_at = CASE WHEN r.created_at IS NULL THEN p.created_at
                        ELSE datetime({epochSeconds: r.created_at}) END
