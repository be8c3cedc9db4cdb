// name: runs
// description: The detection runs, newest first, with their options and what each found.
// mode: read
// param: limit: int = 50 -- at most this many runs
// example: tierscope query runs
MATCH (r:DetectionRun)
RETURN r.id AS run,
       r.kind AS kind,
       r.started_at AS started_at,
       r.finished_at AS finished_at,
       COUNT { (r)-[:FOUND]->(:Community) } AS communities,
       COUNT { (r)-[:FOUND]->(c:Community) WHERE c.flagged } AS flagged_communities,
       COUNT { (:Account)-[:IN_COMMUNITY {run: r.id}]->(:Community) } AS accounts,
       r.params AS params
ORDER BY r.started_at DESC
LIMIT $limit
