// name: explain/edges
// description: The COORDINATED_WITH edges a run stored between two accounts, one per kind, for a run whose full edge table is not on this machine.
// mode: read
// param: run: string -- a detection run id
// param: a: string -- one account id
// param: b: string -- the other account id
MATCH (:Account {id: $a})-[e:COORDINATED_WITH {run: $run}]-(:Account {id: $b})
RETURN e.kind AS kind, e.weight AS weight, e.mean_delta AS mean_delta, e.expected AS expected,
       e.common AS common, e.expected_common AS expected_common, e.p_value AS p_value,
       e.q_value AS q_value
ORDER BY kind
