// name: detect/write_window_communities
// description: Create the communities of one time window of a run, keyed by the window's own run key.
// mode: write
// param: run: string -- the detection run id
// param: key: string -- the window's key, `<run>@<window start date>`, its communities' `run`
// param: window: int -- 0-based window number
// param: start: int -- Unix seconds, inclusive
// param: end: int -- Unix seconds, exclusive
// param: rows: list -- [{id, props}]
MATCH (run:DetectionRun {id: $run})
UNWIND $rows AS r
CREATE (c:Community {run: $key, id: r.id, history: $run, window: $window,
                     window_start: datetime({epochSeconds: $start}),
                     window_end: datetime({epochSeconds: $end})})
SET c += r.props
CREATE (run)-[:WINDOW]->(c)
