// name: core_feeders
// description: The core accounts, of this community or another, whose retweets feed a community's accounts, by retweets given.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = 1 -- the community fed (1 is the run's most suspicious)
// param: limit: int = 100 -- at most this many core accounts
// example: tierscope query core_feeders -p community=1
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (target:Account)-[:IN_COMMUNITY {run: run}]->(:Community {run: run, id: $community})
MATCH (target)-[:POSTED]->(:Post)<-[:RETWEET_OF]-(:Post)<-[:POSTED]-(core:Account)
WHERE core <> target
MATCH (core)-[m:IN_COMMUNITY {run: run, tier: 'core'}]->(home:Community)
RETURN core.id AS account_id,
       core.screen_name AS screen_name,
       home.id AS home_community,
       home.id = $community AS own_core,
       count(*) AS retweets,
       count(DISTINCT target) AS accounts_fed,
       m.synchrony AS synchrony,
       m.out_strength AS out_strength
ORDER BY retweets DESC, accounts_fed DESC, account_id
LIMIT $limit
