// name: detect/set_history
// description: Record on a run that it also detected window by window, with its tracks and events.
// mode: write
// param: id: string
// param: by: string -- day, week or month
// param: windows: int -- how many windows
// param: history: string -- JSON: the windows, the operation tracks and their events
MATCH (r:DetectionRun {id: $id})
SET r.by = $by, r.windows = $windows, r.history = $history
RETURN r.id AS id
