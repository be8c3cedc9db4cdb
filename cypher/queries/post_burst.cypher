// name: post_burst
// description: The synchronised bursts on one post: who retweeted it within the window of the retweet before, and in what order.
// mode: read
// param: post: string -- the original post's id
// param: window: int = 60 -- seconds; a retweet at most this long after the one before joins its burst
// param: min_burst: int = 2 -- only bursts of at least this many retweets (1 lists every retweet)
// param: run: string = "latest" -- the detection run whose tiers and communities are shown
// example: tierscope query post_burst -p post=P1 -p window=60
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (o:Post {id: $post})<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(a:Account)
WHERE rt.created_at IS NOT NULL
WITH run, o, rt, a
ORDER BY rt.created_at, a.id, rt.id
WITH run, o, collect({rt: rt, a: a}) AS rts
WITH run, o, rts,
     [i IN range(0, size(rts) - 1) |
       CASE WHEN i = 0 THEN null
            ELSE duration.inSeconds(rts[i - 1].rt.created_at, rts[i].rt.created_at).seconds END]
       AS gaps
// A burst starts at the first retweet and after every gap longer than the window.
WITH run, o, rts, gaps, [i IN range(0, size(rts) - 1) WHERE i = 0 OR gaps[i] > $window] AS starts
UNWIND range(0, size(starts) - 1) AS b
WITH run, o, rts, gaps, b + 1 AS burst, starts[b] AS first,
     coalesce(starts[b + 1], size(rts)) - starts[b] AS burst_size
WHERE burst_size >= $min_burst
UNWIND range(first, first + burst_size - 1) AS i
WITH run, o, burst, burst_size, i, rts[i].rt AS rt, rts[i].a AS a, gaps[i] AS gap
OPTIONAL MATCH (a)-[m:IN_COMMUNITY {run: run}]->(c:Community)
RETURN burst,
       burst_size,
       i + 1 AS position,
       a.id AS account_id,
       a.screen_name AS screen_name,
       rt.id AS retweet_id,
       rt.created_at AS retweeted_at,
       duration.inSeconds(o.created_at, rt.created_at).seconds AS seconds_after_post,
       gap AS seconds_after_previous,
       m.tier AS tier,
       c.id AS community_id
ORDER BY position
