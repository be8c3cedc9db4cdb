"""Whole-database chores."""

from __future__ import annotations

from tierscope.graphdb import cypherlib
from tierscope.graphdb.store import Store


def wipe(store: Store) -> int:
    """Delete every node and relationship; the schema stays. Returns the nodes deleted."""
    return store.autocommit(cypherlib.load("wipe")).nodes_deleted
