"""The managed Neo4j Community server: fetched by Maven, run by Java 17, no Docker.

Layout under the tierscope home (`TIERSCOPE_HOME`, default `~/.tierscope`, mode 0700):

    neo4j/conf/neo4j.conf   written by tierscope on every start
    neo4j/data, neo4j/logs  the store and Neo4j's logs (console.log holds stdout/stderr)
    neo4j/neo4j.pid         the running server's pid
    server.json             the ports chosen at the last start
    password                the neo4j user's password, mode 0600

The jars live in a cache shared by all homes (`~/.cache/tierscope/neo4j-<version>/lib`), so a
throwaway test server does not fetch them again. The GDS and APOC plugins (`plugins.pom.xml`)
live beside them in `plugins/`, never in `lib/`; see docs/gds.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tierscope.graphdb.errors import ServerError
from tierscope.graphdb.guard import APOC_FUNCTIONS
from tierscope.graphdb.locks import exclusive
from tierscope.graphdb.settings import Connection, cache_dir, home, private_dir

POM = Path(__file__).with_name("pom.xml")
PLUGINS_POM = Path(__file__).with_name("plugins.pom.xml")
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
USER = "neo4j"
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
# Sized for the 2-core, 24 GiB machines: Neo4j gets 8 GiB, the analysis the rest.
DEFAULT_HEAP = "4g"
DEFAULT_PAGECACHE = "4g"

# The JVM options Neo4j's own launcher passes (neo4j.conf server.jvm.additional, 5.26).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


def neo4j_version() -> str:
    """The Neo4j version pinned in the pom, the one source of truth for it."""
    match = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", POM.read_text())
    if not match:
        raise ServerError(f"{POM}: no <neo4j.version> property")
    return match.group(1)


def lib_dir() -> Path:
    override = os.environ.get("TIERSCOPE_NEO4J_LIB")
    if override:
        return Path(override).expanduser()
    return cache_dir() / f"neo4j-{neo4j_version()}" / "lib"


def plugin_versions() -> str:
    """The GDS and APOC versions pinned in plugins.pom.xml, as `gds=2.13.9 apoc=5.26.19`."""
    text = PLUGINS_POM.read_text()
    versions = []
    for name in ("gds", "apoc"):
        match = re.search(rf"<{name}.version>([^<]+)</{name}.version>", text)
        if not match:
            raise ServerError(f"{PLUGINS_POM}: no <{name}.version> property")
        versions.append(f"{name}={match.group(1)}")
    return " ".join(versions)


def tx_log_size() -> str:
    """The size of Neo4j's transaction log files. Each is preallocated whole, so that when
    the disk cannot hold the next one, Neo4j turns the database read-only with its logs
    intact, rather than fail half-way through writing one."""
    return os.environ.get("TIERSCOPE_NEO4J_TX_LOG", "256m")


def size_bytes(size: str) -> int:
    """A Neo4j size such as `256m` in bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    size = size.strip().lower()
    return int(size[:-1]) * units[size[-1]] if size[-1:] in units else int(size)


def plugins_dir() -> Path:
    """Beside lib, as in Neo4j's own layout, so that lib holds Neo4j alone."""
    return lib_dir().with_name("plugins")


# Neo4j loads every class of every jar directly in the plugins directory, looking for
# procedures: GDS and APOC's 148 jars took ~9 s of each start. Only the 13 that declare
# procedures or functions stay there; the libraries they use go to plugins/lib (not
# searched, its own directory), and both are on the class path.
PROCEDURE_MARKS = tuple(
    f"Lorg/neo4j/procedure/{name};".encode()
    for name in ("Procedure", "UserFunction", "UserAggregationFunction")
)
PLUGINS_LAYOUT = "layout=procedures-apart"


def declares_procedures(jar: Path) -> bool:
    """Whether a class of the jar carries Neo4j's procedure or function annotations."""
    with zipfile.ZipFile(jar) as archive:
        return any(
            any(mark in archive.read(name) for mark in PROCEDURE_MARKS)
            for name in archive.namelist()
            if name.endswith(".class")
        )


def _set_libraries_apart(plugins: Path) -> None:
    (plugins / "lib").mkdir(exist_ok=True)
    for jar in plugins.glob("*.jar"):
        if not declares_procedures(jar):
            jar.rename(plugins / "lib" / jar.name)


# Only what tierscope's analysts need is loaded: GDS whole (Browser users project and write
# with it; `tierscope query` lets through only its read-only modes, graphdb/guard.py), and of
# APOC its read-only functions. Both read Neo4j's internals (APOC's node and relationship
# functions among them), so what is loaded is also unrestricted. docker-compose.yml sets the
# same (a unit test compares them).
_PLUGINS_LOADED = ",".join(("gds.*", *APOC_FUNCTIONS))
PLUGIN_SETTINGS = {
    "dbms.security.procedures.unrestricted": _PLUGINS_LOADED,
    "dbms.security.procedures.allowlist": _PLUGINS_LOADED,
}


def _copy_dependencies(
    pom: Path,
    target: Path,
    what: str,
    stamp: str,
    log: Callable[[str], None],
    arrange: Callable[[Path], None] = lambda _: None,
) -> None:
    """The pom's runtime jars into `target` with Maven, then ``arrange``d there, unless a
    finished copy of the same versions (`stamp`) is there; a failed fetch leaves the previous
    copy alone."""
    done_file = target / ".complete"
    if done_file.exists() and done_file.read_text() == stamp:
        return
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServerError(f"Maven (mvn) is not on PATH; it is needed once to fetch {what}")
    log(f"Fetching {what} from Maven Central into {target} (once)...")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServerError(f"Maven could not fetch {what}:\n{done.stdout[-3000:]}{done.stderr}")
    arrange(partial)
    (partial / ".complete").write_text(stamp)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def free_ports(n: int = 2) -> list[int]:
    """Distinct free loopback ports (a Bolt and an HTTP port for a throwaway server).

    All sockets stay open until every port is chosen, so the same port is never handed
    out twice."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0), so look at its threads: the JVM's main thread can be a
    # zombie while the others still shut Neo4j down and hold its ports.
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return True  # no /proc: trust kill(0)
    for task in tasks:
        try:
            if (task / "stat").read_text().split(") ", 1)[1][:1] != "Z":
                return True
        except (OSError, IndexError):
            continue
    return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    version: str
    bolt_uri: str
    browser_url: str
    home: Path
    data_dir: Path


class ManagedServer:
    """One Neo4j server under one tierscope home."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or home()
        self.neo4j_home = self.root / "neo4j"
        self.conf_dir = self.neo4j_home / "conf"
        self.data_dir = self.neo4j_home / "data"
        self.logs_dir = self.neo4j_home / "logs"
        self.pid_file = self.neo4j_home / "neo4j.pid"
        self.password_file = self.root / "password"
        self.settings_file = self.root / "server.json"
        self.console_log = self.logs_dir / "console.log"

    # -- settings --------------------------------------------------------------------------

    def ports(self) -> tuple[int, int]:
        """Bolt and HTTP ports: the last start's, else the environment's, else the defaults."""
        saved: dict[str, int] = {}
        if self.settings_file.exists():
            saved = json.loads(self.settings_file.read_text())
        bolt = saved.get("bolt_port") or int(
            os.environ.get("TIERSCOPE_BOLT_PORT", DEFAULT_BOLT_PORT)
        )
        http = saved.get("http_port") or int(
            os.environ.get("TIERSCOPE_HTTP_PORT", DEFAULT_HTTP_PORT)
        )
        return bolt, http

    def password(self) -> str:
        if not self.password_file.exists():
            raise ServerError(
                f"no password at {self.password_file}: the managed server was never started"
            )
        return self.password_file.read_text().strip()

    def connection(self) -> Connection:
        bolt, _ = self.ports()
        return Connection(
            uri=f"bolt://127.0.0.1:{bolt}",
            user=USER,
            password=self.password(),
            database=None,
            managed=True,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) and self._runs_here(pid) else None

    def _runs_here(self, pid: int) -> bool:
        """Whether `pid` is this home's Neo4j, and not a process that took over the pid of a
        server that crashed (stop would otherwise kill it)."""
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return True  # no /proc: trust the pid file
        # A JVM whose main thread has exited shows no command line while it shuts down.
        return not argv or f"--home-dir={self.neo4j_home}".encode() in argv.split(b"\0")

    def is_running(self) -> bool:
        return self.pid() is not None

    def fetch(self, log: Callable[[str], None] = lambda _: None) -> Path:
        """Bring the Neo4j and Browser jars, and the GDS and APOC plugins, from Maven Central
        into the cache, once; returns Neo4j's lib."""
        lib = lib_dir()
        _copy_dependencies(POM, lib, f"Neo4j {neo4j_version()}", neo4j_version(), log)
        stamp = f"{plugin_versions()} {PLUGINS_LAYOUT}"
        plugins = plugins_dir()
        _copy_dependencies(PLUGINS_POM, plugins, "GDS and APOC", stamp, log, _set_libraries_apart)
        return lib

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
        if not java or not Path(java).exists():
            raise ServerError("Java 17 is not installed (no java on PATH, no JAVA_HOME)")
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
        match = re.search(r'version "(\d+)', out)
        if not match or int(match.group(1)) < 17:
            raise ServerError(f"Neo4j 5.26 needs Java 17 or later; {java} says: {out.strip()}")
        return java

    def _write_conf(self, bolt: int, http: int) -> None:
        heap = os.environ.get("TIERSCOPE_NEO4J_HEAP", DEFAULT_HEAP)
        pagecache = os.environ.get("TIERSCOPE_NEO4J_PAGECACHE", DEFAULT_PAGECACHE)
        conf = {
            "server.bolt.listen_address": f"127.0.0.1:{bolt}",
            "server.bolt.advertised_address": f"127.0.0.1:{bolt}",
            "server.http.enabled": "true",
            "server.http.listen_address": f"127.0.0.1:{http}",
            "server.http.advertised_address": f"127.0.0.1:{http}",
            "server.https.enabled": "false",
            "server.directories.data": str(self.data_dir),
            "server.directories.logs": str(self.logs_dir),
            "server.directories.run": str(self.neo4j_home),
            "server.memory.heap.initial_size": heap,
            "server.memory.heap.max_size": heap,
            "server.memory.pagecache.size": pagecache,
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            # Transaction state off-heap keeps big UNWIND batches from pressuring the heap.
            "db.tx_state.memory_allocation": "OFF_HEAP",
            "db.tx_log.rotation.size": tx_log_size(),
            "server.directories.plugins": str(plugins_dir()),
            **PLUGIN_SETTINGS,
        }
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        lines = ["# Written by tierscope on every start; edit via tierscope db start options."]
        lines += [f"{k}={v}" for k, v in conf.items()]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.neo4j_home), "NEO4J_CONF": str(self.conf_dir)}

    def _ensure_password(self, java: str, lib: Path) -> None:
        """Set a random initial password before the first start; it only works then."""
        if (self.data_dir / "dbms" / "auth.ini").exists() and self.password_file.exists():
            return
        password = secrets.token_hex(20)  # hex: a leading "-" would read as an option
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(password + "\n")
        os.chmod(self.password_file, 0o600)
        # neo4j-admin (picocli) reads `@file` as the arguments in the file, so the password is
        # never in a process's command line, where any user of the machine could read it.
        arg = f"@{self.password_file}"
        cmd = [java, "-cp", f"{lib}/*", ADMIN_TOOL, "dbms", "set-initial-password", arg]
        done = subprocess.run(cmd, capture_output=True, text=True, env=self._env())
        if done.returncode != 0:
            self.password_file.unlink()
            raise ServerError(f"could not set the initial password:\n{done.stdout}{done.stderr}")

    def start(
        self,
        bolt_port: int | None = None,
        http_port: int | None = None,
        timeout: float = 180.0,
        log: Callable[[str], None] = lambda _: None,
    ) -> ServerStatus:
        """Start the server, or return its status when it already runs.

        Starts under one home take turns (a lock file in the home): a second one waits for
        the first and then finds its server running, so one store never gets two JVMs."""
        private_dir(self.root)
        with exclusive(
            self.root / "start.lock",
            lambda who: log(f"Neo4j is being started by {who}; waiting for it..."),
        ):
            return self._start(bolt_port, http_port, timeout, log)

    def _start(
        self,
        bolt_port: int | None,
        http_port: int | None,
        timeout: float,
        log: Callable[[str], None],
    ) -> ServerStatus:
        if self.is_running():
            return self.status()
        if self.pid_file.exists():
            stale = self.pid_file.read_text().strip()
            log(f"Removed a stale pid file: pid {stale} is not this home's Neo4j (it crashed?).")
            self.pid_file.unlink()
        saved_bolt, saved_http = self.ports()
        bolt, http = bolt_port or saved_bolt, http_port or saved_http
        if bolt == http:
            raise ServerError(f"Bolt and HTTP need different ports; both are {bolt}")
        for port in (bolt, http):
            if _port_open(port):
                raise ServerError(
                    f"port {port} is already in use; pick others with --bolt-port/--http-port"
                )
        # A new store preallocates a log for `system` and `neo4j`; short of room, Neo4j 5.26
        # dies starting, with pages of Java.
        need, free = 2 * size_bytes(tx_log_size()), shutil.disk_usage(self.root).free
        if free < need and not (self.data_dir / "databases").exists():
            raise ServerError(
                f"the disk holding {self.root} has {free >> 20} MB free, and a new Neo4j "
                f"store needs {need >> 20} MB for its transaction logs: free space there"
            )
        lib = self.fetch(log)
        java = self._java()
        self._write_conf(bolt, http)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self._ensure_password(java, lib)
        self.settings_file.write_text(json.dumps({"bolt_port": bolt, "http_port": http}))

        heap = os.environ.get("TIERSCOPE_NEO4J_HEAP", DEFAULT_HEAP)
        # As Neo4j's own launcher does, the plugins are on the class path too (GDS registers
        # kernel extensions); after lib, so that Neo4j's own copy of a shared library wins.
        classpath = f"{lib}/*:{plugins_dir()}/*:{plugins_dir()}/lib/*"
        cmd = [java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath, ENTRY_POINT]
        cmd += [f"--home-dir={self.neo4j_home}", f"--config-dir={self.conf_dir}"]
        # A shell starts Java in the background and exits: the server is nobody's child, so it
        # outlives the command that started it and never lingers as our zombie.
        launched = subprocess.run(
            ["sh", "-c", '"$@" >>"$0" 2>&1 </dev/null & echo $!', str(self.console_log), *cmd],
            capture_output=True,
            text=True,
            env=self._env(),
            cwd=self.neo4j_home,
            start_new_session=True,
            check=True,
        )
        pid = int(launched.stdout.strip())
        self.pid_file.write_text(str(pid))
        log(f"Started Neo4j (pid {pid}); waiting for Bolt on 127.0.0.1:{bolt}...")
        self._wait_for_bolt(pid, timeout)
        # Neo4j opens HTTP (Browser) a second or two after Bolt: wait for it too.
        deadline = time.monotonic() + timeout
        while not _port_open(http) and time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.2)
        return self.status()

    def _wait_for_bolt(self, pid: int, timeout: float) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        conn = self.connection()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited while starting.\n{self._log_tail()}")
            try:
                with GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password)) as driver:
                    driver.verify_connectivity()
                    return
            except (ServiceUnavailable, OSError, Neo4jError):
                time.sleep(0.5)
        self.stop()
        raise ServerError(
            f"Neo4j did not answer on Bolt within {timeout:.0f}s.\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        parts = []
        for name in ("neo4j.log", "console.log"):
            tail = _tail(self.logs_dir / name)
            if tail:
                parts.append(f"--- last lines of {self.logs_dir / name} ---\n{tail}")
        return "\n".join(parts)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server; False when it was not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> ServerStatus:
        bolt, http = self.ports()
        return ServerStatus(
            running=self.is_running(),
            pid=self.pid(),
            version=neo4j_version(),
            bolt_uri=f"bolt://127.0.0.1:{bolt}",
            browser_url=f"http://127.0.0.1:{http}/browser/",
            home=self.root,
            data_dir=self.data_dir,
        )
