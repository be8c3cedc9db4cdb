// name: detect/retweets
// description: Every RETWEET_OF relationship as the internal ids of the retweet and its original, as one row of two columns.
// mode: read
// A scan of the relationship type, with no property read; joined with detect/posts (and
// detect/originals for originals that are not dated posts).
MATCH (p)-[:RETWEET_OF]->(o)
RETURN collect(id(p)) AS node, collect(id(o)) AS original_node
