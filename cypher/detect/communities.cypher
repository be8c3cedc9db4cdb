// name: detect/communities
// description: The communities of one run with their operation, evidence rank and flag.
// mode: read
// param: run: string -- a detection run id
MATCH (c:Community {run: $run})
RETURN c.id AS community_id, c.operation_id AS operation_id, c.rank AS rank,
       c.score AS score, c.flagged AS flagged
ORDER BY rank
