// name: report/principals
// description: Principal amplification: each principal's posts, the retweets they drew, and how many came from accounts flagged in the run (self-retweets left out).
// mode: read
// param: run: string -- a detection run id
MATCH (p:Account)-[m:IN_COMMUNITY {run: $run, tier: 'principal'}]->(c:Community)
CALL (p) {
  MATCH (p)-[:POSTED]->(o:Post)
  WHERE o.created_at IS NOT NULL AND NOT EXISTS { (o)-[:RETWEET_OF]->() }
  RETURN count(o) AS posts
}
CALL (p) {
  MATCH (p)-[:POSTED]->(:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(r:Account)
  WHERE r <> p AND rt.created_at IS NOT NULL
  WITH r, count(rt) AS n
  WITH r, n, EXISTS { (r)-[:IN_COMMUNITY {run: $run, flagged: true}]->() } AS flagged
  RETURN sum(n) AS retweets,
         sum(CASE WHEN flagged THEN n ELSE 0 END) AS flagged_retweets,
         count(r) AS retweeters,
         count(CASE WHEN flagged THEN r END) AS flagged_retweeters
}
RETURN p.id AS account_id, p.screen_name AS screen_name, p.followers AS followers,
       c.id AS community_id, c.operation_id AS operation_id,
       posts, retweets, flagged_retweets, retweeters, flagged_retweeters,
       CASE WHEN retweets > 0 THEN toFloat(flagged_retweets) / retweets ELSE 0.0 END
         AS flagged_share
ORDER BY flagged_retweets DESC, account_id
