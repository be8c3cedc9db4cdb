// name: gds_agreement
// description: How far GDS Leiden's communities of a run's projected graph (run gds_project first) agree with the run's own, over the accounts both placed: adjusted Rand index and normalised mutual information (1 the same partition; ARI about 0 for chance).
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: gamma: float = 1.0 -- Leiden's resolution, as in gds_leiden
// param: seed: int = 42 -- Leiden's random seed, as in gds_leiden
// example: tierscope query gds_agreement -p run=latest
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
WHERE run IS NOT NULL
CALL gds.leiden.stream('tierscope-' + run,
                       {relationshipWeightProperty: 'weight', gamma: $gamma,
                        randomSeed: $seed, concurrency: 1})
YIELD nodeId, communityId
WITH run, communityId, gds.util.asNode(nodeId) AS a
OPTIONAL MATCH (a)-[:IN_COMMUNITY {run: run}]->(c:Community)
// [Leiden's community, tierscope's] of each account both placed
WITH run, count(DISTINCT a) AS projected,
     collect(CASE WHEN c IS NOT NULL THEN [communityId, c.id] END) AS placed
// the contingency table's cells, and its row and column sums
WITH run, projected, size(placed) AS n,
     COLLECT { UNWIND placed AS p WITH p, count(*) AS k RETURN k } AS cells,
     COLLECT { UNWIND placed AS p WITH p[0] AS l, count(*) AS k RETURN k } AS rows,
     COLLECT { UNWIND placed AS p WITH p[1] AS t, count(*) AS k RETURN k } AS cols
WITH run, projected, n, size(rows) AS leiden_communities, size(cols) AS tierscope_communities,
     reduce(s = 0.0, k IN cells | s + k * (k - 1) / 2.0) AS same_in_both,
     reduce(s = 0.0, k IN rows | s + k * (k - 1) / 2.0) AS same_in_leiden,
     reduce(s = 0.0, k IN cols | s + k * (k - 1) / 2.0) AS same_in_tierscope,
     reduce(s = 0.0, k IN cells | s + k * log(k)) AS cell_entropy,
     reduce(s = 0.0, k IN rows | s + k * log(k)) AS row_entropy,
     reduce(s = 0.0, k IN cols | s + k * log(k)) AS col_entropy
WITH *, CASE WHEN n > 1 THEN same_in_leiden * same_in_tierscope / (n * (n - 1) / 2.0) END
          AS expected,
     (same_in_leiden + same_in_tierscope) / 2.0 AS most,
     CASE WHEN n > 0 THEN n * log(n) END AS total
RETURN run,
       'tierscope-' + run AS graph,
       projected,
       n AS accounts,
       leiden_communities,
       tierscope_communities,
       CASE WHEN n = 0 THEN null
            WHEN n = 1 OR most = expected THEN 1.0
            ELSE (same_in_both - expected) / (most - expected) END AS ari,
       CASE WHEN n = 0 THEN null
            WHEN 2 * total = row_entropy + col_entropy THEN 1.0
            ELSE 2 * (cell_entropy + total - row_entropy - col_entropy)
                 / (2 * total - row_entropy - col_entropy) END AS nmi
