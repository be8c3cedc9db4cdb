// name: detect/posted
// description: Every POSTED relationship as the internal ids of its account and post, as one row of two columns.
// mode: read
// A scan of the relationship type, with no property read: the authors of all posts for the
// cost of expanding a tenth of them. The ids are joined with detect/accounts and detect/posts.
MATCH (a)-[:POSTED]->(p)
RETURN collect(id(a)) AS account_node, collect(id(p)) AS post_node
