// name: load/mentions
// description: Link posts to the accounts they mention; the accounts exist from the same batch.
// mode: write
// param: rows: list -- [{post, account}]
UNWIND $rows AS r
MATCH (p:Post {id: r.post})
MATCH (a:Account {id: r.account})
MERGE (p)-[:MENTIONS]->(a)
