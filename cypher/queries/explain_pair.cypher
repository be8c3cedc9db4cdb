// name: explain_pair
// description: Why two accounts are tied in a run: every pair of their shares of one object (retweeted post, hashtag, URL, text) with both times, the delta and whether it is a meeting, the original's author and text, the stored edge's weight, expected, p- and q-value, and each account's tier and community.
// mode: read
// param: account_a: string -- one account id
// param: account_b: string -- the other account id
// param: run: string = "latest" -- a detection run id, or latest
// param: window: int = -1 -- seconds within which two shares are a meeting; -1 takes the run's
// param: limit: int = 1000 -- at most this many pairs of shares
// example: tierscope query explain_pair -p account_a=c1 -p account_b=c2
// One row per pair of shares, meetings first; a pair with nothing shared gives one row whose
// share columns are empty. The edge columns are the COORDINATED_WITH edge stored for the kind
// (by default only significant ties are stored: empty means not stored, not "no edge";
// `tierscope explain` reads every tested pair). Texts pair on their lower-cased trimmed
// form here; `tierscope explain` uses detection's full normalisation.
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (r:DetectionRun {id: run})
// The window is in the run's params JSON, e.g. {"kind": [...], "window": 60, ...}.
WITH run, split(r.kind, ',') AS kinds,
     CASE WHEN $window >= 0 THEN $window
          ELSE coalesce(toInteger(trim(replace(
                 split(split(r.params, '"window":')[1], ',')[0], '}', ''))), 60) END AS window
MATCH (a:Account {id: $account_a}), (b:Account {id: $account_b})
OPTIONAL CALL (a, b, kinds) {
  MATCH (a)-[:POSTED]->(sa:Post)-[:RETWEET_OF]->(o:Post)<-[:RETWEET_OF]-(sb:Post)<-[:POSTED]-(b)
  WHERE 'co-retweet' IN kinds
  RETURN 'co-retweet' AS kind, o.id AS object, o AS original, sa, sb
  UNION ALL
  MATCH (a)-[:POSTED]->(sa:Post)-[:TAGS]->(h:Hashtag)<-[:TAGS]-(sb:Post)<-[:POSTED]-(b)
  WHERE 'co-hashtag' IN kinds
  RETURN 'co-hashtag' AS kind, '#' + h.tag AS object, null AS original, sa, sb
  UNION ALL
  MATCH (a)-[:POSTED]->(sa:Post)-[:LINKS]->(u:Url)<-[:LINKS]-(sb:Post)<-[:POSTED]-(b)
  WHERE 'co-url' IN kinds
  RETURN 'co-url' AS kind, u.url AS object, null AS original, sa, sb
  UNION ALL
  MATCH (a)-[:POSTED]->(sa:Post), (b)-[:POSTED]->(sb:Post)
  WHERE 'co-text' IN kinds AND sa.text IS NOT NULL AND sb.text IS NOT NULL
    AND NOT EXISTS { (sa)-[:RETWEET_OF]->() } AND NOT EXISTS { (sb)-[:RETWEET_OF]->() }
    AND toLower(trim(sa.text)) = toLower(trim(sb.text)) AND trim(sa.text) <> ''
  RETURN 'co-text' AS kind, toLower(trim(sa.text)) AS object, null AS original, sa, sb
}
WITH run, window, a, b, kind, object, original, sa, sb,
     sb.created_at.epochSeconds - sa.created_at.epochSeconds AS delta
WHERE sa IS NULL OR (sa.created_at IS NOT NULL AND sb.created_at IS NOT NULL AND sa <> sb)
WITH run, window, a, b, kind, object, original, sa, sb, delta,
     head(COLLECT { MATCH (a)-[e:COORDINATED_WITH {run: run}]-(b)
                    WHERE kind IS NULL OR e.kind = kind RETURN e ORDER BY e.kind }) AS e,
     head(COLLECT { MATCH (original)<-[:POSTED]-(au:Account) RETURN au }) AS author,
     head(COLLECT { MATCH (a)-[m:IN_COMMUNITY {run: run}]->(c:Community)
                    RETURN {tier: m.tier, community: c.id} ORDER BY c.id }) AS place_a,
     head(COLLECT { MATCH (b)-[m:IN_COMMUNITY {run: run}]->(c:Community)
                    RETURN {tier: m.tier, community: c.id} ORDER BY c.id }) AS place_b
RETURN run, a.id AS account_a, b.id AS account_b, kind, object,
       original.id AS original_id, author.id AS original_author_id,
       author.screen_name AS original_author_name, original.text AS original_text,
       sa.id AS post_a, toString(sa.created_at) AS time_a,
       sb.id AS post_b, toString(sb.created_at) AS time_b,
       delta AS delta_s, abs(delta) <= window AS meeting,
       e.weight AS weight, e.expected AS expected, e.common AS common,
       e.expected_common AS expected_common, e.p_value AS p_value, e.q_value AS q_value,
       place_a.tier AS tier_a, place_a.community AS community_a,
       place_b.tier AS tier_b, place_b.community AS community_b
ORDER BY kind, meeting DESC, time_a, time_b, object
LIMIT $limit
