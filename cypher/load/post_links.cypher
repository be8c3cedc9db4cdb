// name: load/post_links
// description: RETWEET_OF, REPLY_TO and QUOTES between posts of one batch and their targets.
// mode: write
// param: rows: list -- [{post, target, type}] with type RETWEET_OF, REPLY_TO or QUOTES
UNWIND $rows AS r
MATCH (p:Post {id: r.post})
MATCH (o:Post {id: r.target})
FOREACH (_ IN CASE WHEN r.type = 'RETWEET_OF' THEN [1] ELSE [] END | MERGE (p)-[:RETWEET_OF]->(o))
FOREACH (_ IN CASE WHEN r.type = 'REPLY_TO' THEN [1] ELSE [] END | MERGE (p)-[:REPLY_TO]->(o))
FOREACH (_ IN CASE WHEN r.type = 'QUOTES' THEN [1] ELSE [] END | MERGE (p)-[:QUOTES]->(o))
