// name: creation_bursts
// description: Days on which several core or amplifier accounts of one community were created: batch-made accounts come in bursts.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = -1 -- a community id, or -1 for every community of the run
// param: min_accounts: int = 2 -- only days with at least this many sign-ups
// param: limit: int = 100 -- at most this many days
// example: tierscope query creation_bursts -p community=1 -p min_accounts=3
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (c:Community {run: run})
WHERE $community = -1 OR c.id = $community
MATCH (a:Account)-[m:IN_COMMUNITY {run: run}]->(c)
WHERE m.tier <> 'principal' AND a.created_at IS NOT NULL
WITH run, c, a, m
ORDER BY a.created_at, a.id
WITH run, c, date(a.created_at) AS day, collect(a) AS accounts, collect(m.tier) AS tiers
WHERE size(accounts) >= $min_accounts
WITH c, day, accounts, tiers,
     COUNT { (:Account)-[x:IN_COMMUNITY {run: run}]->(c) WHERE x.tier <> 'principal' } AS members
RETURN c.id AS community_id,
       day AS created_on,
       size(accounts) AS accounts,
       toFloat(size(accounts)) / members AS share_of_community,
       size([t IN tiers WHERE t = 'core']) AS core,
       size([t IN tiers WHERE t = 'amplifier']) AS amplifiers,
       [x IN accounts | coalesce(x.screen_name, x.id)] AS screen_names
ORDER BY accounts DESC, community_id, created_on
LIMIT $limit
