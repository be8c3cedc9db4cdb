// name: principals_ranked
// description: The principals of a run ranked by their amplification share: the part of the retweets they drew that came from flagged accounts.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: limit: int = 100 -- at most this many principals
// example: tierscope query principals_ranked -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (p:Account)-[:IN_COMMUNITY {run: run, tier: 'principal'}]->(c:Community)
CALL (run, p, c) {
  OPTIONAL MATCH (p)-[:POSTED]->(:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(r:Account)
  WHERE r <> p
  OPTIONAL MATCH (r)-[rm:IN_COMMUNITY {run: run}]->(rc:Community)
  RETURN count(rt) AS retweets,
         count(DISTINCT r) AS retweeters,
         count(CASE WHEN rm.flagged THEN rt END) AS flagged_retweets,
         count(CASE WHEN rc = c AND rm.tier <> 'principal' THEN rt END) AS community_retweets
}
RETURN p.id AS account_id,
       p.screen_name AS screen_name,
       c.id AS community_id,
       c.operation_id AS operation_id,
       COUNT { (p)-[:POSTED]->(x:Post) WHERE NOT (x)-[:RETWEET_OF]->() } AS posts,
       retweets,
       retweeters,
       flagged_retweets,
       community_retweets,
       CASE WHEN retweets > 0 THEN toFloat(flagged_retweets) / retweets ELSE 0.0 END
         AS amplification_share
ORDER BY amplification_share DESC, flagged_retweets DESC, account_id
LIMIT $limit
