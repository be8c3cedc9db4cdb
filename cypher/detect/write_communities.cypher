// name: detect/write_communities
// description: Create one run's communities with their size and evidence.
// mode: write
// param: run: string
// param: rows: list -- [{id, props}]
MATCH (run:DetectionRun {id: $run})
UNWIND $rows AS r
CREATE (c:Community {run: $run, id: r.id})
SET c += r.props
CREATE (run)-[:FOUND]->(c)
