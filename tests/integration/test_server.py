import json
import stat
import urllib.request

from graphdb import cypherlib
from graphdb.server import ManagedServer
from graphdb.store import Store


def test_status_shows_version_address_pid_and_browser(server: ManagedServer, cli):
    from cli.main import app

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
    conf = (server.conf_dir / "neo4j.conf").read_text()
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.bolt.listen_address=127.0.0.1:" in conf
    assert "server.http.listen_address=127.0.0.1:" in conf


def test_wrong_password_is_a_clear_error(server: ManagedServer):
    from dataclasses import replace

    import pytest

    from graphdb.errors import DatabaseError

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
    from cli.main import app

    store.run(cypherlib.parse("CREATE (:Account {id: 'a'}), (:Post {id: 'p'})"), mode="write")
    refused = cli.invoke(app, ["db", "wipe"], input="n\n")
    assert refused.exit_code == 1
    assert store.run(cypherlib.load("load/counts"))[0]["accounts"] == 1
    done = cli.invoke(app, ["db", "wipe", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Deleted 2 nodes" in done.output
    assert store.run(cypherlib.load("load/counts"))[0] == {"accounts": 0, "posts": 0, "retweets": 0}
