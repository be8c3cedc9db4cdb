// name: export/edges
// description: The full coordination edge table of one run and kind, before any clustering threshold.
// mode: read
// param: run: string -- a detection run id
// param: kind: string = "co-retweet" -- co-retweet, co-hashtag, co-url or co-text
MATCH (a:Account)-[e:COORDINATED_WITH {run: $run, kind: $kind}]->(b:Account)
RETURN a.id AS account_a, b.id AS account_b, e.weight AS weight, e.mean_delta AS mean_delta
ORDER BY weight DESC, account_a, account_b
