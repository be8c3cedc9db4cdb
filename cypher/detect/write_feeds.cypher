// name: detect/write_feeds
// description: Community-to-community amplification flow of one run, with its p-value.
// mode: write
// param: run: string
// param: rows: list -- [{source, target, weight, p_value}]
UNWIND $rows AS r
MATCH (s:Community {run: $run, id: r.source})
MATCH (t:Community {run: $run, id: r.target})
CREATE (s)-[:FEEDS {run: $run, weight: r.weight, p_value: r.p_value}]->(t)
