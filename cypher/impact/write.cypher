// name: impact/write
// description: One takedown assessment of a run, kept as an Impact node linked from its run; the same run, scope, target and tier replace the earlier one.
// mode: write
// param: run: string -- a detection run id
// param: scope: string -- run, operation, community or accounts
// param: target: string -- the operation or community id, the accounts' digest, or ''
// param: tier: string -- core, amplifier or all
// param: removed: int -- accounts removed
// param: direct: int -- the principals' retweets lost directly
// param: relayed: int -- amplifier retweets of the removed core's own posts lost with them
// param: before: int -- the principals' retweets before
// param: after: int -- the principals' retweets after
// param: result: string -- the whole assessment as JSON (what a report reads back)
// param: accounts: list -- for the accounts scope, the ids assessed; else empty
// param: source: string -- for the accounts scope, the file they came from; else ''
MATCH (r:DetectionRun {id: $run})
MERGE (i:Impact {run: $run, scope: $scope, target: $target, tier: $tier})
SET i.removed = $removed, i.direct = $direct, i.relayed = $relayed, i.before = $before,
    i.after = $after, i.result = $result, i.accounts = $accounts, i.source = $source,
    i.created_at = datetime()
MERGE (r)-[:ASSESSED]->(i)
RETURN toString(i.created_at) AS created_at
