"""Whole-database chores."""

from __future__ import annotations

from graphdb import cypherlib
from graphdb.store import Store


def wipe(store: Store) -> int:
    """Delete every node and relationship; the schema stays. Returns the nodes deleted."""
    return store.autocommit(cypherlib.load("wipe")).nodes_deleted
