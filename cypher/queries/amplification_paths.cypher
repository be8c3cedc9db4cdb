// name: amplification_paths
// description: The paths by which an amplifier's retweets reach a principal: amplifier retweets a core account, which retweets the principal.
// mode: read
// param: account: string -- the amplifier's id or screen name
// param: principal: string = "" -- only paths ending at this principal (id or screen name); empty for all
// param: run: string = "latest" -- a detection run id, or latest
// param: limit: int = 100 -- at most this many paths
// example: tierscope query amplification_paths -p account=amp_one -p principal=minister
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (amp:Account)
WHERE amp.id = $account OR amp.screen_name = $account
MATCH (amp)-[:POSTED]->(:Post)-[:RETWEET_OF]->(:Post)<-[:POSTED]-(core:Account)
WHERE core <> amp
WITH run, amp, core, count(*) AS amplifier_retweets
MATCH (core)-[:IN_COMMUNITY {run: run, tier: 'core'}]->(cc:Community)
MATCH (core)-[:POSTED]->(:Post)-[:RETWEET_OF]->(:Post)<-[:POSTED]-(principal:Account)
WHERE $principal = '' OR principal.id = $principal OR principal.screen_name = $principal
WITH run, amp, core, cc, amplifier_retweets, principal, count(*) AS core_retweets
MATCH (principal)-[:IN_COMMUNITY {run: run, tier: 'principal'}]->(pc:Community)
RETURN [x IN [amp, core, principal] | coalesce(x.screen_name, x.id)] AS path,
       amp.id AS amplifier_id,
       core.id AS core_id,
       cc.id AS core_community,
       principal.id AS principal_id,
       pc.id AS principal_community,
       amplifier_retweets,
       core_retweets,
       CASE WHEN amplifier_retweets < core_retweets THEN amplifier_retweets
            ELSE core_retweets END AS strength
ORDER BY strength DESC, amplifier_retweets DESC, core_retweets DESC, core_id, principal_id
LIMIT $limit
