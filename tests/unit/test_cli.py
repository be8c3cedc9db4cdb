"""CLI and packaging promises that need no server."""

import re
from pathlib import Path

from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import __version__
from tierscope.graphdb.server import (
    DEFAULT_HEAP,
    DEFAULT_PAGECACHE,
    PLUGIN_SETTINGS,
    neo4j_version,
)
from tierscope.graphdb.settings import connection_from_env

ROOT = Path(__file__).resolve().parents[2]


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tierscope {__version__}"


def test_bad_column_option_is_a_usage_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    result = CliRunner().invoke(app, ["load", str(path), "-c", "no-equals-sign"])
    assert result.exit_code == 2
    assert "key=value" in result.output


def test_docker_compose_matches_the_managed_server():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert f"image: neo4j:{'.'.join(neo4j_version().split('.')[:2])}-community" in compose
    assert '"127.0.0.1:${TIERSCOPE_BOLT_PORT:-7687}:7687"' in compose
    assert '"127.0.0.1:${TIERSCOPE_HTTP_PORT:-7474}:7474"' in compose
    assert f'NEO4J_server_memory_heap_max__size: "{DEFAULT_HEAP}"' in compose
    assert f'NEO4J_server_memory_pagecache_size: "{DEFAULT_PAGECACHE}"' in compose
    # the same plugins, loading and unrestricting the same procedures and functions
    assert """NEO4J_PLUGINS: '["graph-data-science", "apoc"]'""" in compose
    for key, value in PLUGIN_SETTINGS.items():
        assert f'NEO4J_{key.replace(".", "_")}: "{value}"' in compose
    # the password comes from the environment, never from the file
    assert 'NEO4J_AUTH: "neo4j/${NEO4J_PASSWORD:?' in compose
    assert not re.search(r"NEO4J_AUTH:\s*\"?neo4j/[^$]", compose)


def test_connection_from_env(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert connection_from_env() is None
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://example.databases.neo4j.io")
    monkeypatch.setenv("NEO4J_USER", "reader")
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    monkeypatch.setenv("NEO4J_DATABASE", "archive")
    conn = connection_from_env()
    assert conn is not None
    assert (conn.uri, conn.user, conn.password, conn.database) == (
        "neo4j+s://example.databases.neo4j.io",
        "reader",
        "pw",
        "archive",
    )
    assert not conn.managed


def test_bad_detect_options_fail_before_touching_the_database(monkeypatch):
    monkeypatch.setenv("TIERSCOPE_AUTOSTART", "0")
    result = CliRunner().invoke(app, ["detect", "--algorithm", "kmeans"])
    assert result.exit_code == 2
    assert "algorithm must be one of" in result.output
    result = CliRunner().invoke(app, ["detect", "--kind", "co-likes"])
    assert result.exit_code == 2
    assert "co-likes" in result.output
