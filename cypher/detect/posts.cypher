// name: detect/posts
// description: The posts named by internal id (id, time, language, text), as one row of columns.
// mode: read
// param: nodes: list -- internal ids of posts, from detect/posted and detect/retweets
// param: text: bool -- read each post's own text (false for retweets and originals only)
// Columns come back as parallel lists: one record per slice, as the driver's cost is per
// record, not per value. collect() skips nulls, so a missing value travels as '' (or the
// smallest integer for a missing time) to keep the lists aligned. Posts are sought by id, in
// node order, so their properties are read in store order; no relationship is followed here.
MATCH (p:Post)
WHERE id(p) IN $nodes
RETURN collect(id(p)) AS node,
       collect(p.id) AS post,
       collect(coalesce(p.created_at.epochSeconds, -9223372036854775807)) AS time,
       collect(coalesce(p.lang, '')) AS lang,
       collect(CASE WHEN $text THEN coalesce(p.text, '') ELSE '' END) AS text
