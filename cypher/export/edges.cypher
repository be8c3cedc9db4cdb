// name: export/edges
// description: The coordination edges of one run and kind stored in Neo4j, with their tests.
// mode: read
// param: run: string -- a detection run id
// param: kind: string = "co-retweet" -- co-retweet, co-hashtag, co-url or co-text
MATCH (a:Account)-[e:COORDINATED_WITH {run: $run, kind: $kind}]->(b:Account)
RETURN a.id AS account_a, b.id AS account_b, e.weight AS weight, e.mean_delta AS mean_delta,
       e.expected AS expected, e.common AS common, e.expected_common AS expected_common,
       e.p_value AS p_value, e.q_value AS q_value
ORDER BY weight DESC, account_a, account_b
