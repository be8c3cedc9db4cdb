// name: wipe
// description: Delete every node and relationship, in batches so a big store fits the heap.
// mode: write
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
