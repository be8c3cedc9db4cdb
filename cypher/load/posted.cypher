// name: load/posted
// description: Link accounts to the posts they wrote; both ends exist from the same batch.
// mode: write
// param: rows: list -- [{account, post}]
UNWIND $rows AS r
MATCH (a:Account {id: r.account})
MATCH (p:Post {id: r.post})
MERGE (a)-[:POSTED]->(p)
