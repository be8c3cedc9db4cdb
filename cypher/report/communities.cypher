// name: report/communities
// description: The communities of a run, most suspicious first (rank 1), with tier counts, evidence and score.
// mode: read
// param: run: string -- a detection run id
// param: top: int = 10 -- how many communities
MATCH (c:Community {run: $run})
RETURN c {.*} AS community
ORDER BY c.rank
LIMIT $top
