// name: wipe_relationships
// description: Delete every relationship in batches, so that deleting the nodes after it never holds a popular node's thousands of relationships in one transaction.
// mode: write
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
