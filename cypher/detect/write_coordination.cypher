// name: detect/write_coordination
// description: Coordination edges of one run between accounts, with their tests.
// mode: write
// param: run: string
// param: kind: string
// param: rows: list -- [{a, b, props: {weight, mean_delta, expected, common, expected_common, p_value, q_value}}]
UNWIND $rows AS r
MATCH (a:Account {id: r.a})
MATCH (b:Account {id: r.b})
CREATE (a)-[e:COORDINATED_WITH {run: $run, kind: $kind}]->(b)
SET e += r.props
