// name: detect/write_continues
// description: Link the lead communities of operations matched across consecutive windows.
// mode: write
// param: run: string -- the detection run id
// param: rows: list -- [{source_key, source, target_key, target, props: {jaccard, overlap, p_value, q_value, continues}}]
UNWIND $rows AS r
MATCH (a:Community {run: r.source_key, id: r.source})
MATCH (b:Community {run: r.target_key, id: r.target})
CREATE (a)-[e:CONTINUES {run: $run}]->(b)
SET e += r.props
