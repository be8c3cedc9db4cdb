"""The wheel installs one importable name, `tierscope`, and works from where it lands."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("tierscope-*.whl")
    return built


def test_wheel_has_one_top_level_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"tierscope"}


def test_wheel_holds_every_module_and_cypher_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"tierscope/{path.relative_to(ROOT).as_posix()}"
        for folder in ("graphdb", "cli", "cypher")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".cypher", ".xml") and "__pycache__" not in path.parts
    }
    assert expected <= names, sorted(expected - names)


def test_installed_wheel_finds_its_cypher(wheel: Path, tmp_path: Path) -> None:
    """Installed apart from the checkout, the package reads its own cypher/ and runs."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    # -S skips .pth files, so the editable install of the checkout cannot answer the import;
    # the dependencies still come from this environment's site-packages.
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from tierscope.graphdb import cypherlib;"
        "print(cypherlib.cypher_dir()); print(len(cypherlib.library()))"
    )
    site = sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, str(target), site],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    where, count = done.stdout.split()
    assert Path(where) == target / "tierscope" / "cypher"
    assert int(count) > 0
