"""docs/cli.md, generated from the commands' own --help so that it cannot drift.

python -m tierscope.cli.reference > docs/cli.md
"""

from __future__ import annotations

import os
from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

from tierscope.cli.main import app

HEADER = """# CLI reference

Generated from `--help` by `python -m tierscope.cli.reference > docs/cli.md` (`make docs`);
a test fails when this file is stale.
"""


def _commands(group: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name in sorted(getattr(group, "commands", {}) or {}):
        found += _commands(group.commands[name], [*path, name])
    return found


def reference() -> str:
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        runner = CliRunner()
        parts = [HEADER]
        for path in _commands(get_command(app), []):
            result = runner.invoke(app, [*path, "--help"], prog_name="tierscope")
            title = " ".join(["tierscope", *path])
            text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip()
            parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
        return "\n".join(parts)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


if __name__ == "__main__":
    print(reference(), end="")
