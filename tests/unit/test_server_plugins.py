"""The plugins directory holds only the jars Neo4j must search for procedures."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tierscope.graphdb.server import _set_libraries_apart, declares_procedures


def _jar(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_only_jars_declaring_procedures_stay_in_plugins(tmp_path: Path) -> None:
    mark = b"\x01\x00\x25Lorg/neo4j/procedure/UserFunction;"
    _jar(tmp_path / "apoc-core.jar", {"apoc/Fn.class": b"\xca\xfe\xba\xbe" + mark})
    _jar(
        tmp_path / "proc.jar",
        {"a/B.class": b"\xca\xfe", "g/P.class": b"Lorg/neo4j/procedure/Procedure;"},
    )
    # The annotation named outside a class file, or another annotation, is no procedure.
    _jar(tmp_path / "docs.jar", {"README.txt": mark, "x/Y.class": b"Lorg/neo4j/procedure/Name;"})
    _jar(tmp_path / "empty.jar", {})
    assert declares_procedures(tmp_path / "proc.jar")
    assert not declares_procedures(tmp_path / "docs.jar")

    _set_libraries_apart(tmp_path)

    assert sorted(p.name for p in tmp_path.glob("*.jar")) == ["apoc-core.jar", "proc.jar"]
    assert sorted(p.name for p in (tmp_path / "lib").glob("*.jar")) == ["docs.jar", "empty.jar"]
