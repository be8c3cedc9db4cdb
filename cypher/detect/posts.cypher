// name: detect/posts
// description: The posts of one time slice with their author and, for a retweet, its original and the original's author, as one row of columns.
// mode: read
// param: from: int -- Unix seconds, inclusive
// param: to: int -- Unix seconds, exclusive
// Columns come back as parallel lists (much faster to ship than one record per post);
// collect() skips nulls, so a missing value travels as '' or -1 to keep the lists aligned.
MATCH (p:Post)
WHERE datetime({epochSeconds: $from}) <= p.created_at < datetime({epochSeconds: $to})
MATCH (a:Account)-[:POSTED]->(p)
OPTIONAL MATCH (p)-[:RETWEET_OF]->(o:Post)
OPTIONAL MATCH (oa:Account)-[:POSTED]->(o)
RETURN collect(a.id) AS account,
       collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time,
       collect(coalesce(p.lang, '')) AS lang,
       collect(coalesce(o.id, '')) AS original,
       collect(coalesce(oa.id, '')) AS original_account,
       collect(coalesce(o.created_at.epochSeconds, -1)) AS original_time,
       collect(CASE WHEN o IS NULL THEN coalesce(p.text, '') ELSE '' END) AS text
