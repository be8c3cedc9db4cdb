// name: community_summary
// description: Each community of a run with its size by tier and every test behind its flag (p-values, and why it was or was not flagged), most suspicious first.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: flagged_only: bool = false -- only the communities flagged as operations
// param: limit: int = 100 -- at most this many communities
// example: tierscope query community_summary -p run=latest -p flagged_only=true
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (c:Community {run: run})
WHERE NOT $flagged_only OR c.flagged
RETURN run,
       c.id AS community_id,
       c.operation_id AS operation_id,
       c.rank AS rank,
       c.flagged AS flagged,
       c.score AS score,
       COUNT { (:Account)-[:IN_COMMUNITY {run: run}]->(c) } AS size,
       COUNT { (:Account)-[:IN_COMMUNITY {run: run, tier: 'principal'}]->(c) } AS principals,
       COUNT { (:Account)-[:IN_COMMUNITY {run: run, tier: 'core'}]->(c) } AS core,
       COUNT { (:Account)-[:IN_COMMUNITY {run: run, tier: 'amplifier'}]->(c) } AS amplifiers,
       c.synchrony AS synchrony,
       c.creation_burst AS creation_burst,
       c.median_reaction_s AS median_reaction_s,
       c.dormant_share AS dormant_share,
       c.duplicate_text_share AS duplicate_text_share,
       c.lang_top AS lang_top,
       c.lang_top_share AS lang_top_share,
       c.lang_entropy AS lang_entropy,
       c.ties AS ties,
       c.p_coordination AS p_coordination,
       c.p_structure AS p_structure,
       c.p_creation AS p_creation,
       c.p_reaction AS p_reaction,
       c.p_dormancy AS p_dormancy,
       c.p_text AS p_text,
       c.p_followers AS p_followers,
       c.p_language AS p_language,
       c.p_inauthentic AS p_inauthentic,
       c.p_flag AS p_flag,
       c.q_flag AS q_flag,
       c.reason AS reason
ORDER BY rank, community_id
LIMIT $limit
