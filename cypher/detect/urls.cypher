// name: detect/urls
// description: Each share of a URL (who, which URL, which post, when), as one row of columns.
// mode: read
MATCH (a:Account)-[:POSTED]->(p:Post)-[:LINKS]->(u:Url)
WHERE p.created_at IS NOT NULL
RETURN collect(a.id) AS account, collect(u.url) AS object, collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time
