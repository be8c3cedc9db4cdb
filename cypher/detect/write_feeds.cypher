// name: detect/write_feeds
// description: Community-to-community amplification flow of one run, with its test.
// mode: write
// param: run: string
// param: rows: list -- [{source, target, props: {weight, feeders, size, p_value}}]
UNWIND $rows AS r
MATCH (s:Community {run: $run, id: r.source})
MATCH (t:Community {run: $run, id: r.target})
CREATE (s)-[f:FEEDS {run: $run}]->(t)
SET f += r.props
