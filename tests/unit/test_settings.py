"""The tierscope home is owner-only however it comes to be made."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tierscope.graphdb.settings import home, private_dir


@pytest.fixture(autouse=True)
def umask() -> Iterator[None]:
    """The common umask, under which a plain mkdir makes 0755 folders."""
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_is_made_owner_only(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_HOME", str(tmp_path / "a" / "b" / "home"))
    root = home()
    assert root == tmp_path / "a" / "b" / "home"
    assert _mode(root) == 0o700
    # What lands under it later (runs, rejects, the server's folders) inherits the protection.
    (root / "runs" / "r1").mkdir(parents=True)
    assert _mode(root) == 0o700


def test_a_wider_home_is_tightened(tmp_path: Path, monkeypatch):
    old = tmp_path / "old-home"
    old.mkdir(mode=0o755)
    assert _mode(old) == 0o755
    monkeypatch.setenv("TIERSCOPE_HOME", str(old))
    assert _mode(home()) == 0o700
    os.chmod(old, 0o750)
    assert _mode(private_dir(old)) == 0o700
