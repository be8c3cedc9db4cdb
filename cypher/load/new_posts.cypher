// name: load/new_posts
// description: Create one batch's posts that the database does not hold yet, stubs included.
// mode: write
// param: rows: list -- [{id, props, created_at}] with created_at in Unix seconds or null
UNWIND $rows AS r
CREATE (p:Post {id: r.id})
SET p += r.props,
    p.created_at = CASE WHEN r.created_at IS NULL THEN null
                        ELSE datetime({epochSeconds: r.created_at}) END
