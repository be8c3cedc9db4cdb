// name: neighbourhood
// description: The 2-hop neighbourhood of one account: who it retweets, replies to, quotes, mentions or is coordinated with, either way, and who those reach in turn.
// mode: read
// param: account: string -- the account's id or screen name
// param: run: string = "latest" -- the detection run whose coordination edges, tiers and communities count
// param: expand: int = 50 -- the second hop starts from this many of the strongest first-hop neighbours
// param: limit: int = 200 -- at most this many neighbours
// example: tierscope query neighbourhood -p account=core_one
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (center:Account)
WHERE center.id = $account OR center.screen_name = $account
CALL (run, center) {
  MATCH (center)-[:POSTED]->(:Post)-[r:RETWEET_OF|REPLY_TO|QUOTES]-(:Post)<-[:POSTED]-(n:Account)
  RETURN n, CASE type(r) WHEN 'RETWEET_OF' THEN 'retweet' WHEN 'REPLY_TO' THEN 'reply'
                         ELSE 'quote' END AS kind
  UNION ALL
  MATCH (center)-[:POSTED]->(:Post)-[:MENTIONS]->(n:Account)
  RETURN n, 'mention' AS kind
  UNION ALL
  MATCH (center)<-[:MENTIONS]-(:Post)<-[:POSTED]-(n:Account)
  RETURN n, 'mention' AS kind
  UNION ALL
  MATCH (center)-[:COORDINATED_WITH {run: run}]-(n:Account)
  RETURN n, 'coordinated' AS kind
}
WITH run, center, n, collect(DISTINCT kind) AS kinds, count(*) AS interactions
WHERE n <> center
ORDER BY interactions DESC, n.id
WITH run, center, collect({n: n, kinds: kinds, interactions: interactions}) AS hop1
WITH run, center, hop1, [h IN hop1 | h.n] AS near
CALL (run, center, hop1, near) {
  UNWIND hop1 AS h
  RETURN h.n AS account, 1 AS hop, [] AS via, h.kinds AS kinds, h.interactions AS interactions
  UNION ALL
  UNWIND near[..$expand] AS x
  CALL (run, x) {
    MATCH (x)-[:POSTED]->(:Post)-[r:RETWEET_OF|REPLY_TO|QUOTES]-(:Post)<-[:POSTED]-(n:Account)
    RETURN n, CASE type(r) WHEN 'RETWEET_OF' THEN 'retweet' WHEN 'REPLY_TO' THEN 'reply'
                           ELSE 'quote' END AS kind
    UNION ALL
    MATCH (x)-[:POSTED]->(:Post)-[:MENTIONS]->(n:Account)
    RETURN n, 'mention' AS kind
    UNION ALL
    MATCH (x)<-[:MENTIONS]-(:Post)<-[:POSTED]-(n:Account)
    RETURN n, 'mention' AS kind
    UNION ALL
    MATCH (x)-[:COORDINATED_WITH {run: run}]-(n:Account)
    RETURN n, 'coordinated' AS kind
  }
  WITH center, near, x, n, kind
  WHERE n <> center
  WITH near, n, x, collect(DISTINCT kind) AS kinds, count(*) AS interactions
  WHERE NOT n IN near
  ORDER BY x.id
  RETURN n AS account, 2 AS hop, collect(x.id) AS via,
         reduce(all = [], k IN collect(kinds) | all + k) AS kinds,
         sum(interactions) AS interactions
}
OPTIONAL MATCH (account)-[m:IN_COMMUNITY {run: run}]->(c:Community)
RETURN hop,
       account.id AS account_id,
       account.screen_name AS screen_name,
       [k IN ['retweet', 'reply', 'quote', 'mention', 'coordinated'] WHERE k IN kinds]
         AS relations,
       interactions,
       size(via) AS via_count,
       via[..5] AS via,
       m.tier AS tier,
       c.id AS community_id
ORDER BY hop, interactions DESC, account_id
LIMIT $limit
