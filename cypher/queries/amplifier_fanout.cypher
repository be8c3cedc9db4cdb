// name: amplifier_fanout
// description: The amplifiers that retweet one core account: how often, how fast, and for which community.
// mode: read
// param: account: string -- the core account's id or screen name
// param: run: string = "latest" -- a detection run id, or latest
// param: limit: int = 100 -- at most this many amplifiers
// example: tierscope query amplifier_fanout -p account=core_one -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (core:Account)
WHERE core.id = $account OR core.screen_name = $account
MATCH (core)-[:POSTED]->(post:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(amp:Account)
MATCH (amp)-[m:IN_COMMUNITY {run: run, tier: 'amplifier'}]->(c:Community)
WITH amp, m, c, post, rt, duration.inSeconds(post.created_at, rt.created_at).seconds AS delay
RETURN amp.id AS account_id,
       amp.screen_name AS screen_name,
       c.id AS community_id,
       count(rt) AS retweets,
       count(DISTINCT post) AS posts_retweeted,
       percentileCont(toFloat(delay), 0.5) AS median_delay_s,
       min(rt.created_at) AS first_retweet,
       max(rt.created_at) AS last_retweet,
       m.internal_share AS internal_share
ORDER BY retweets DESC, median_delay_s, account_id
LIMIT $limit
