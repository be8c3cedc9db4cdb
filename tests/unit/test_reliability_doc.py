"""docs/reliability.md names a test for every row, and every test it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
TEST = re.compile(r"`((?:unit|integration)/[\w/]+\.py)::(\w+)`")


def test_every_row_names_a_test_that_exists():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| ")]
    rows = [r for r in rows if not r.startswith("| Fault or attack")]
    assert len(rows) >= 20
    for row in rows:
        cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        named = TEST.findall(cell)
        assert named or cell.startswith("same"), row
        for path, name in named:
            source = (ROOT / "tests" / path).read_text()
            assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name}"
