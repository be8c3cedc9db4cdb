"""Whole-database chores."""

from __future__ import annotations

from tierscope.graphdb import cypherlib
from tierscope.graphdb.server import ManagedServer
from tierscope.graphdb.server.offline import recreate_database
from tierscope.graphdb.store import Store

# From this many nodes on, a managed server's wipe recreates the store files instead of
# deleting in transactions (which takes minutes for millions of nodes).
RECREATE_MIN_NODES = 1_000_000


def wipe(store: Store, server: ManagedServer | None = None) -> int:
    """Delete every node and relationship; the schema stays. Returns the nodes deleted.

    With the managed `server` behind `store` and a big store, the database's files are
    dropped and the server restarted on an empty one; otherwise relationships, then nodes,
    are deleted in batches of 10,000, which stays within Neo4j's transaction memory."""
    nodes = store.run(cypherlib.load("load/node_count"))[0]["nodes"]
    if (
        server is not None
        and store.connection.managed
        and nodes >= RECREATE_MIN_NODES
        and server.connection().uri == store.connection.uri
    ):
        recreate_database(server)
        store.apply_schema()
        return int(nodes)
    store.autocommit(cypherlib.load("wipe_relationships"))
    return store.autocommit(cypherlib.load("wipe")).nodes_deleted
