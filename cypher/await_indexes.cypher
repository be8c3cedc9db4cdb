// name: await_indexes
// description: Wait until every index and constraint is online (they build in the background).
// mode: read
// param: timeout: int -- seconds to wait before failing
CALL db.awaitIndexes($timeout)
