// name: load/node_count
// description: How many nodes of any label the database holds (from the count store, instantly).
// mode: read
MATCH (n)
RETURN count(n) AS nodes
