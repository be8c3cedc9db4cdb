// name: community_members
// description: The accounts of one community by tier, with the scores that placed them there.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = 1 -- a community id of the run
// param: tiers: list = ["principal", "core", "amplifier"] -- the tiers to list
// param: limit: int = 1000 -- at most this many accounts
// example: tierscope query community_members -p community=1 -p tiers=core
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (a:Account)-[m:IN_COMMUNITY {run: run}]->(:Community {run: run, id: $community})
WHERE m.tier IN $tiers
RETURN a.id AS account_id,
       a.screen_name AS screen_name,
       m.tier AS tier,
       m.flagged AS flagged,
       m.synchrony AS synchrony,
       m.internal_share AS internal_share,
       m.in_strength AS in_strength,
       m.out_strength AS out_strength,
       a.created_at AS created_at,
       a.followers AS followers
ORDER BY CASE m.tier WHEN 'principal' THEN 0 WHEN 'core' THEN 1 ELSE 2 END, account_id
LIMIT $limit
