// name: detect/write_coordination
// description: Coordination edges of one run between accounts.
// mode: write
// param: run: string
// param: kind: string
// param: rows: list -- [{a, b, weight, mean_delta}]
UNWIND $rows AS r
MATCH (a:Account {id: r.a})
MATCH (b:Account {id: r.b})
CREATE (a)-[:COORDINATED_WITH {run: $run, kind: $kind, weight: r.weight, mean_delta: r.mean_delta}]->(b)
