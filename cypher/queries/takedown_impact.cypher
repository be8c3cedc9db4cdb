// name: takedown_impact
// description: What a takedown removes from each principal: retweets received before, those made by the removed accounts (an operation, a community, or every flagged account, in the given tiers), after, and the share lost.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: operation: int = -1 -- remove this operation's accounts; -1 for none
// param: community: int = -1 -- remove this community's accounts; -1 for none
// param: tier: string = "all" -- core, amplifier or all
// example: tierscope query takedown_impact -p operation=1 -p tier=all
// With neither an operation nor a community, every flagged account is removed and every
// principal of the run is listed. `tierscope impact` adds the relayed loss (the amplifiers'
// retweets of the removed core's own posts) and keeps the result as an (:Impact) node.
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WITH run, CASE $tier WHEN 'all' THEN ['core', 'amplifier', 'member'] ELSE [$tier] END AS tiers
MATCH (p:Account)-[:IN_COMMUNITY {run: run, tier: 'principal'}]->(pc:Community)
WHERE ($operation < 0 OR pc.operation_id = $operation) AND ($community < 0 OR pc.id = $community)
WITH run, tiers, p, collect(pc.id) AS communities
CALL (p, run, tiers) {
  MATCH (p)-[:POSTED]->(:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(r:Account)
  WHERE r <> p AND rt.created_at IS NOT NULL
  WITH r, count(rt) AS n
  WITH r, n, EXISTS {
    MATCH (r)-[m:IN_COMMUNITY {run: run}]->(c:Community)
    WHERE m.tier IN tiers AND ($operation >= 0 OR $community >= 0 OR m.flagged)
      AND ($operation < 0 OR c.operation_id = $operation)
      AND ($community < 0 OR c.id = $community)
  } AS removed
  RETURN sum(n) AS before, sum(CASE WHEN removed THEN n ELSE 0 END) AS direct,
         count(CASE WHEN removed THEN r END) AS removed_retweeters
}
RETURN run, p.id AS principal_id, p.screen_name AS screen_name, communities, before, direct,
       before - direct AS after,
       CASE WHEN before > 0 THEN toFloat(direct) / before ELSE 0.0 END AS share_lost,
       removed_retweeters
ORDER BY direct DESC, before DESC, principal_id
