// name: report/history
// description: Each operation track of a run with history, window by window: its size by tier and its flag.
// mode: read
// param: run: string -- a detection run id
// param: tracks: list -- track numbers
UNWIND $tracks AS track
MATCH (:DetectionRun {id: $run})-[:WINDOW]->(c:Community {track: track, lead: true})
RETURN track, c.window AS window, c.window_start.epochSeconds AS start,
       c.window_end.epochSeconds AS end, c.id AS community,
       c.flagged AS flagged, c.op_size AS size, c.op_principals AS principals,
       c.op_core AS core, c.op_amplifiers AS amplifiers, c.op_members AS members,
       c.op_newcomers AS newcomers, c.op_jaccard AS jaccard
ORDER BY track, window
