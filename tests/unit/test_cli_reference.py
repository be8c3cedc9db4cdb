from pathlib import Path

from tierscope.cli.reference import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text() == reference(), "docs/cli.md is stale: run `make docs`"


def test_every_command_has_help():
    text = reference()
    for command in ("load", "db start", "db status", "db stop", "db wipe", "detect", "generate"):
        assert f"## `tierscope {command}`" in text
    assert "Usage:" in text
