// name: load/urls
// description: Link posts to the URLs they carry.
// mode: write
// param: rows: list -- [{post, url}]
UNWIND $rows AS r
MATCH (p:Post {id: r.post})
MERGE (u:Url {url: r.url})
MERGE (p)-[:LINKS]->(u)
