"""tierscope: tiered coordination analysis on a Neo4j graph."""

__version__ = "0.1.0"
