// name: detect/posts
// description: The dated posts of one time slice (node, id, time, language, text), as one row of columns.
// mode: read
// param: from: int -- Unix seconds, inclusive
// param: to: int -- Unix seconds, exclusive
// Columns come back as parallel lists: one record per slice, as the driver's cost is per
// record, not per value. collect() skips nulls, so a missing value travels as '' to keep the
// lists aligned. No relationship is followed here: a post's author and original come from
// whole scans of POSTED and RETWEET_OF (detect/posted, detect/retweets), joined on `node`,
// which is many times cheaper than expanding each post. `node` is the internal id, only ever
// matched within one read.
MATCH (p:Post)
WHERE datetime({epochSeconds: $from}) <= p.created_at < datetime({epochSeconds: $to})
RETURN collect(id(p)) AS node,
       collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time,
       collect(coalesce(p.lang, '')) AS lang,
       collect(coalesce(p.text, '')) AS text
