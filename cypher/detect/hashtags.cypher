// name: detect/hashtags
// description: Each use of a hashtag in one time slice (who, which tag, which post, when), as one row of columns.
// mode: read
// param: from: int -- Unix seconds, inclusive
// param: to: int -- Unix seconds, exclusive
MATCH (p:Post)
WHERE datetime({epochSeconds: $from}) <= p.created_at < datetime({epochSeconds: $to})
MATCH (a:Account)-[:POSTED]->(p)-[:TAGS]->(h:Hashtag)
RETURN collect(a.id) AS account, collect(h.tag) AS object, collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time
