// name: detect/write_feeds
// description: Community-to-community amplification flow of one run.
// mode: write
// param: run: string
// param: rows: list -- [{source, target, weight}]
UNWIND $rows AS r
MATCH (s:Community {run: $run, id: r.source})
MATCH (t:Community {run: $run, id: r.target})
CREATE (s)-[:FEEDS {run: $run, weight: r.weight}]->(t)
