// name: dormant_candidates
// description: Candidates for hijacked or bought accounts: members silent for a long time before posting again, or created long before their first post.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = -1 -- a community id, or -1 for every community of the run
// param: min_days: int = 365 -- the shortest silence (or wait before the first post) that counts, in days
// param: tiers: list = ["core", "amplifier"] -- the tiers to look at
// param: limit: int = 100 -- at most this many accounts
// example: tierscope query dormant_candidates -p min_days=365 -p tiers=core,amplifier
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (a:Account)-[m:IN_COMMUNITY {run: run}]->(c:Community)
WHERE ($community = -1 OR c.id = $community) AND m.tier IN $tiers
CALL (a) {
  MATCH (a)-[:POSTED]->(p:Post)
  WHERE p.created_at IS NOT NULL
  WITH p.created_at AS t
  ORDER BY t
  RETURN collect(t) AS times
}
WITH a, m, c, times,
     [i IN range(1, size(times) - 1) |
       {days: duration.inDays(times[i - 1], times[i]).days, woke_at: times[i],
        posts_after: size(times) - i}] AS gaps
WITH a, m, c, times,
     reduce(best = null, g IN gaps | CASE WHEN best IS NULL OR g.days > best.days THEN g
                                          ELSE best END) AS silence,
     CASE WHEN a.created_at IS NULL OR size(times) = 0 THEN null
          ELSE duration.inDays(a.created_at, times[0]).days END AS days_to_first_post
WHERE silence.days >= $min_days OR days_to_first_post >= $min_days
RETURN a.id AS account_id,
       a.screen_name AS screen_name,
       m.tier AS tier,
       c.id AS community_id,
       [r IN [['silence', silence.days], ['late start', days_to_first_post]]
         WHERE r[1] >= $min_days | r[0]] AS reasons,
       silence.days AS longest_silence_days,
       silence.woke_at AS woke_at,
       silence.posts_after AS posts_after_silence,
       days_to_first_post,
       a.created_at AS created_at,
       times[0] AS first_post,
       size(times) AS posts
ORDER BY CASE WHEN coalesce(longest_silence_days, 0) > coalesce(days_to_first_post, 0)
              THEN longest_silence_days ELSE days_to_first_post END DESC,
         account_id
LIMIT $limit
