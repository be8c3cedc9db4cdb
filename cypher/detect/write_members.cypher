// name: detect/write_members
// description: Link accounts to their community in one run, with tier and scores.
// mode: write
// param: run: string
// param: rows: list -- [{account, community, props}]
UNWIND $rows AS r
MATCH (a:Account {id: r.account})
MATCH (c:Community {run: $run, id: r.community})
CREATE (a)-[m:IN_COMMUNITY {run: $run}]->(c)
SET m += r.props
