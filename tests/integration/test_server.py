import json
import re
import stat
import urllib.request

from tierscope.graphdb import cypherlib
from tierscope.graphdb.server import ManagedServer
from tierscope.graphdb.store import Store


def test_status_shows_version_address_pid_and_browser(server: ManagedServer, cli):
    from tierscope.cli.main import app

    result = cli.invoke(app, ["db", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["running"] is True
    assert status["version"].startswith("5.26.")
    assert status["pid"] == server.pid()
    assert status["bolt_uri"] == server.connection().uri
    assert status["browser_url"].endswith("/browser/")

    text = cli.invoke(app, ["db", "status"]).output
    assert "running" in text and "browser" in text and str(server.pid()) in text


def test_browser_page_is_served(server: ManagedServer):
    url = server.status().browser_url
    with urllib.request.urlopen(url, timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200
    assert "<title>Neo4j Browser</title>" in page


def test_password_file_is_private_and_auth_is_on(server: ManagedServer):
    mode = stat.S_IMODE(server.password_file.stat().st_mode)
    assert mode == 0o600
    # random, and never starting with "-", which neo4j-admin would take for an option
    assert re.fullmatch(r"[0-9a-f]{40}", server.password())
    conf = (server.conf_dir / "neo4j.conf").read_text()
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.bolt.listen_address=127.0.0.1:" in conf
    assert "server.http.listen_address=127.0.0.1:" in conf


def test_wrong_password_is_a_clear_error(server: ManagedServer):
    from dataclasses import replace

    import pytest

    from tierscope.graphdb.errors import DatabaseError

    bad = replace(server.connection(), password="wrong", managed=False)
    with Store(bad) as store, pytest.raises(DatabaseError, match="refused the credentials"):
        store.run(cypherlib.load("load/counts"))


def test_data_persists_across_restart(server: ManagedServer, store: Store):
    store.run(cypherlib.parse("CREATE (:Account {id: 'persist-me'})"), mode="write")
    assert server.stop() is True
    assert not server.is_running()
    server.start()
    # The session's driver drops its dead connections and reconnects by itself.
    assert store.run(cypherlib.load("load/counts"))[0]["accounts"] == 1


def test_wipe_asks_then_deletes(server: ManagedServer, store: Store, cli):
    from tierscope.cli.main import app

    store.run(cypherlib.parse("CREATE (:Account {id: 'a'}), (:Post {id: 'p'})"), mode="write")
    refused = cli.invoke(app, ["db", "wipe"], input="n\n")
    assert refused.exit_code == 1
    assert store.run(cypherlib.load("load/counts"))[0]["accounts"] == 1
    done = cli.invoke(app, ["db", "wipe", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Deleted 2 nodes" in done.output
    assert store.run(cypherlib.load("load/counts"))[0] == {"accounts": 0, "posts": 0, "retweets": 0}


def test_routing_uri_works_unchanged(server: ManagedServer):
    """neo4j:// (clusters, Aura) goes through the same runner as bolt://."""
    from dataclasses import replace

    conn = server.connection()
    routed = replace(conn, uri=conn.uri.replace("bolt://", "neo4j://"), managed=False)
    with Store(routed) as store:
        assert store.run(cypherlib.load("load/counts"))[0]["accounts"] >= 0


def test_cli_uses_neo4j_env_over_the_managed_server(
    server: ManagedServer, cli, tmp_path, monkeypatch
):
    from tierscope.cli.main import app

    conn = server.connection()
    monkeypatch.setenv("TIERSCOPE_HOME", str(tmp_path / "no-server-here"))
    monkeypatch.setenv("NEO4J_URI", conn.uri.replace("bolt://", "neo4j://"))
    monkeypatch.setenv("NEO4J_USER", conn.user)
    monkeypatch.setenv("NEO4J_PASSWORD", conn.password)
    result = cli.invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    refused = cli.invoke(app, ["runs"])
    assert refused.exit_code == 4
    assert "refused the credentials" in refused.output and "NEO4J_PASSWORD" in refused.output


def test_commands_start_the_managed_server_when_needed(
    server: ManagedServer, cli, tmp_path, monkeypatch
):
    from tierscope.cli.main import app
    from tierscope.graphdb.server import free_ports

    home = tmp_path / "home"
    monkeypatch.setenv("TIERSCOPE_HOME", str(home))
    bolt, http = free_ports()
    monkeypatch.setenv("TIERSCOPE_BOLT_PORT", str(bolt))
    monkeypatch.setenv("TIERSCOPE_HTTP_PORT", str(http))
    monkeypatch.setenv("TIERSCOPE_AUTOSTART", "0")
    off = cli.invoke(app, ["runs"])
    assert off.exit_code == 5
    assert "TIERSCOPE_AUTOSTART=0" in off.output
    monkeypatch.setenv("TIERSCOPE_AUTOSTART", "1")
    try:
        result = cli.invoke(app, ["runs", "--json"])
        assert result.exit_code == 0, result.output
        assert "starting it" in result.stderr
        assert ManagedServer(home).is_running()
    finally:
        ManagedServer(home).stop()


def test_a_server_that_cannot_start_reports_its_log(tmp_path, monkeypatch):
    import pytest

    from tierscope.graphdb.errors import ServerError
    from tierscope.graphdb.server import free_ports

    broken = ManagedServer(tmp_path / "home")
    bolt, http = free_ports()
    broken.start(bolt_port=bolt, http_port=http)
    broken.stop()
    monkeypatch.setenv("TIERSCOPE_NEO4J_PAGECACHE", "not-a-size")
    with pytest.raises(ServerError) as failure:
        broken.start(timeout=120)
    message = str(failure.value)
    assert "exited while starting" in message and "last lines" in message
    assert "pagecache" in message
    assert not broken.is_running()


def test_a_taken_port_is_a_clear_error(server: ManagedServer, tmp_path):
    import pytest

    from tierscope.graphdb.errors import ServerError

    bolt = int(server.connection().uri.rsplit(":", 1)[1])
    with pytest.raises(ServerError, match=f"port {bolt} is already in use"):
        ManagedServer(tmp_path / "other").start(bolt_port=bolt)
