// name: detect/urls
// description: Each share of a URL in one time slice (who, which URL, which post, when), as one row of columns.
// mode: read
// param: from: int -- Unix seconds, inclusive
// param: to: int -- Unix seconds, exclusive
MATCH (p:Post)
WHERE datetime({epochSeconds: $from}) <= p.created_at < datetime({epochSeconds: $to})
MATCH (a:Account)-[:POSTED]->(p)-[:LINKS]->(u:Url)
RETURN collect(a.id) AS account, collect(u.url) AS object, collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time
