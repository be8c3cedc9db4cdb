// name: statistics
// description: Resample the indexes that changed since their last sample, wait for that, then clear the query caches: queries after a load are planned on what the store holds now, not on the samples of an empty store.
// mode: read
// param: timeout: int -- seconds to wait for the sampling
CALL db.prepareForReplanning($timeout)
