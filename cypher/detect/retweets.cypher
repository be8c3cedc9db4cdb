// name: detect/retweets
// description: Every RETWEET_OF relationship as the internal ids of the retweet and its original, as one row of two columns.
// mode: read
// A scan of the relationship type, with no property read; the originals it names are then
// read by detect/posts with the other posts.
MATCH (p)-[:RETWEET_OF]->(o)
RETURN collect(id(p)) AS node, collect(id(o)) AS original_node
