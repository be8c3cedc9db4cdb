"""Offline work on the managed server's store with neo4j-admin: bulk import, recreate.

Both stop the server, change the `neo4j` database's store files, and start it again. An
import moves the old store aside first and puts it back when the tool fails, so a failed
import leaves the database as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tierscope.graphdb.errors import ServerError
from tierscope.graphdb.server import ADMIN_TOOL, DEFAULT_HEAP, DEFAULT_PAGECACHE, ManagedServer

DATABASE = "neo4j"
_PERCENT = re.compile(rb"(\d{1,3})% ")
_STAGE = re.compile(rb"\((\d)/(\d)\) ")  # "(2/4) Relationship import ..."
_STAGES = 4

Phase = Callable[[str, int | None], None]
"""Announces a phase: its name and its size (None when unknown)."""


@dataclass
class ImportFiles:
    """CSV files for `neo4j-admin database import full`, each with its own header row."""

    nodes: list[tuple[str, Path]] = field(default_factory=list)  # (label, file)
    relationships: list[tuple[str, Path]] = field(default_factory=list)  # (type, file)
    multiline: list[Path] = field(default_factory=list)  # files whose fields hold newlines


def _store_dirs(server: ManagedServer) -> list[Path]:
    return [
        server.data_dir / "databases" / DATABASE,
        server.data_dir / "transactions" / DATABASE,
    ]


def import_command(server: ManagedServer, java: str, lib: Path, files: ImportFiles) -> list[str]:
    heap = os.environ.get("TIERSCOPE_NEO4J_HEAP", DEFAULT_HEAP)
    off_heap = os.environ.get("TIERSCOPE_NEO4J_PAGECACHE", DEFAULT_PAGECACHE)
    cmd = [java, f"-Xmx{heap}", "-cp", f"{lib}/*", ADMIN_TOOL, "database", "import", "full"]
    cmd += [f"--nodes={label}={path}" for label, path in files.nodes]
    cmd += [f"--relationships={kind}={path}" for kind, path in files.relationships]
    if files.multiline:
        cmd += ["--multiline-fields-format=v2"]
        cmd += ["--multiline-fields=" + ",".join(str(p) for p in files.multiline)]
    cmd += [
        "--id-type=actual",  # store ids given by bulk.py: no id map to build
        "--bad-tolerance=0",  # the loader hands over clean files: any fault is a bug, stop
        f"--max-off-heap-memory={off_heap}",
        f"--report-file={server.logs_dir / 'import.report'}",
        DATABASE,
    ]
    return cmd


def import_full(
    server: ManagedServer,
    files: ImportFiles,
    phase: Phase,
    progress: Callable[[int], None],
    log: Callable[[str], None] = lambda _: None,
) -> None:
    """Replace the store of the (empty) `neo4j` database with the files' contents.

    Stops the server (if it still runs), imports, starts it. When the tool fails, the store
    it left is deleted, the previous one put back, the server started and ServerError raised.
    """
    lib = server.fetch(log)
    java = server._java()
    phase("stopping Neo4j", None)
    server.stop()
    aside = server.data_dir / ".before-import"
    shutil.rmtree(aside, ignore_errors=True)
    moved: list[tuple[Path, Path]] = []
    for path in _store_dirs(server):
        if path.exists():
            target = aside / path.parent.name
            target.mkdir(parents=True, exist_ok=True)
            path.rename(target / path.name)
            moved.append((target / path.name, path))
    server.logs_dir.mkdir(parents=True, exist_ok=True)
    output = server.logs_dir / "import.log"
    phase("importing with neo4j-admin", 100)
    try:
        _run_import(server, import_command(server, java, lib, files), output, progress)
    except BaseException:
        for path in _store_dirs(server):
            shutil.rmtree(path, ignore_errors=True)
        for source, target in moved:
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
        shutil.rmtree(aside, ignore_errors=True)
        phase("starting Neo4j again, with the store as it was", None)
        server.start(log=log)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    phase("starting Neo4j", None)
    server.start(log=log)


def _run_import(
    server: ManagedServer, cmd: list[str], output: Path, progress: Callable[[int], None]
) -> None:
    """Run the tool, its output to `output`; its four stages of 0-100 % make one 0-100."""
    done = 0
    stage = 1
    with (
        output.open("wb") as out,
        subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=server._env()
        ) as proc,
    ):
        assert proc.stdout is not None
        tail = b""
        while chunk := os.read(proc.stdout.fileno(), 4096):
            out.write(chunk)
            tail += chunk
            *complete, tail = tail.split(b"\n")
            for line in complete:
                if found := _STAGE.match(line):
                    stage = int(found.group(1))
                elif found := _PERCENT.search(line):
                    overall = ((stage - 1) * 100 + min(int(found.group(1)), 100)) // _STAGES
                    if overall > done:
                        progress(overall - done)
                        done = overall
        code = proc.wait()
    if code != 0:
        lines = output.read_text(errors="replace").splitlines()
        detail = "\n".join(line for line in lines[-15:] if line.strip())
        raise ServerError(
            f"neo4j-admin database import failed (exit {code}); the database is as it was "
            f"before the load. The tool's output is in {output}:\n{detail}"
        )
    if done < 100:
        progress(100 - done)


def recreate_database(server: ManagedServer, log: Callable[[str], None] = lambda _: None) -> None:
    """Stop the server, delete the `neo4j` database's store files, start it with an empty one.

    Far faster than deleting millions of nodes in transactions, and needs no memory."""
    server.stop()
    for path in _store_dirs(server):
        shutil.rmtree(path, ignore_errors=True)
    server.start(log=log)
