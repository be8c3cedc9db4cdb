// name: community_timeline
// description: A community's activity by day: posts, retweets and active accounts, by tier.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = 1 -- a community id of the run
// param: since: datetime = "1970-01-01T00:00:00Z" -- only posts at or after this time (ISO 8601)
// param: until: datetime = "9999-12-31T00:00:00Z" -- only posts before this time (ISO 8601)
// example: tierscope query community_timeline -p community=1 -p since=2020-01-01T00:00:00Z
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (a:Account)-[m:IN_COMMUNITY {run: run}]->(:Community {run: run, id: $community})
MATCH (a)-[:POSTED]->(p:Post)
WHERE p.created_at >= datetime($since) AND p.created_at < datetime($until)
WITH date(p.created_at) AS day, m.tier AS tier, a, p,
     EXISTS { (p)-[:RETWEET_OF]->() } AS retweet
RETURN day,
       count(p) AS posts,
       count(CASE WHEN retweet THEN p END) AS retweets,
       count(CASE WHEN NOT retweet THEN p END) AS originals,
       count(DISTINCT a) AS active_accounts,
       count(CASE tier WHEN 'principal' THEN p END) AS principal_posts,
       count(CASE tier WHEN 'core' THEN p END) AS core_posts,
       count(CASE tier WHEN 'amplifier' THEN p END) AS amplifier_posts
ORDER BY day
