// name: export/accounts
// description: One row per account in a community of a run: operation, community, tier, scores, and a principal's amplification.
// mode: read
// param: run: string -- a detection run id
MATCH (a:Account)-[m:IN_COMMUNITY {run: $run}]->(c:Community)
RETURN a.id AS account_id, c.operation_id AS operation_id, c.id AS community_id, m.tier AS tier,
       m.flagged AS flagged, m.internal_share AS internal_share, m.synchrony AS synchrony,
       m.in_strength AS in_strength, m.out_strength AS out_strength,
       a.screen_name AS screen_name, m.posts AS posts, m.retweets AS retweets,
       m.flagged_retweets AS flagged_retweets, m.flagged_share AS flagged_share
ORDER BY operation_id, community_id, tier, account_id
