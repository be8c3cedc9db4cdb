// name: detect/hashtags
// description: Each use of a hashtag (who, which tag, which post, when), as one row of columns.
// mode: read
MATCH (a:Account)-[:POSTED]->(p:Post)-[:TAGS]->(h:Hashtag)
WHERE p.created_at IS NOT NULL
RETURN collect(a.id) AS account, collect(h.tag) AS object, collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time
