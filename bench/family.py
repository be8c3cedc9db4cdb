"""Draws of the scenario family for benchmarks, and what a range of seeds covers.

    from family import draw                    # in a bench script
    out = draw(seed, scale)                    # generated once, then read from bench/out/

    .venv/bin/python bench/family.py           # the factors of seeds 1-20 at scale 1
    .venv/bin/python bench/family.py --seeds 1 2 3 --scale 0.5

A draw is cached under the generator's fingerprint (a hash of `synth` and `scenarios`), so a
change to the generator never hands back a stale draw. The table needs no generation: the
factors of a seed are drawn apart from its posts.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from common import OUT
from rich.console import Console
from rich.table import Table

from tierscope.graphdb import scenarios, synth
from tierscope.graphdb.generate import generate
from tierscope.graphdb.scenarios import FamilyDraw, family_factors


def fingerprint() -> str:
    """Changes whenever the generator's code does."""
    digest = hashlib.sha256()
    for module in (synth, scenarios):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:10]


def draw(seed: int, scale: float = 1.0, work_dir: Path = OUT) -> Path:
    """The folder of family draw `seed` at `scale`, generated unless already there."""
    out = work_dir / f"family-{fingerprint()}" / f"scale{scale:g}-seed{seed}"
    if not (out / "scenario.json").exists():  # written last: its presence means a whole draw
        generate(out, "family", scale, seed)
    return out


# Short codes for the per-op factors, so a row fits a terminal.
_CODES = {
    "none": "-",
    "one": "1",
    "several": "n",
    "same": "s",
    "different": "d",
    "history": "h",
    "no_history": "0",
}
_LEGEND = (
    "per op, in shape order A/B/C; creation - none, 1 one batch, n several; langs s same as "
    "the background, d different; hijacked - none, h with old posts, 0 without"
)


def _row(d: FamilyDraw) -> list[str]:
    ops = sorted(d.ops, key=lambda o: o.shape)

    def each(name: str) -> str:
        values = [getattr(o, name) for o in ops]
        return "/".join(
            f"{v:.2f}" if isinstance(v, float) else _CODES.get(str(v), str(v)) for v in values
        )

    return [
        str(d.seed),
        d.form if d.form == "archive" else f"twarc2/{d.resolution[:3]}",
        d.languages,
        f"{d.share_target:.3f}",
        f"{d.organic:,}",
        f"{len(d.topics)}/{d.homophily:.2f}",
        " ".join(f"{o.op}:{o.shape}" for o in ops),
        each("creation"),
        "/".join("T" if o.template else "-" for o in ops),
        each("languages"),
        each("hijacked"),
        each("cover"),
        each("wave_minutes"),
        "/".join(f"{o.burst_minutes:.0f}" for o in ops),
        "/".join(f"{sum(o.core_cells)}+{sum(o.amplifier_cells) + o.direct}" for o in ops),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 21)))
    args = parser.parse_args()
    table = Table(title=f"Family draws at scale {args.scale}", caption=_LEGEND)
    for column in (
        "seed",
        "form",
        "langs",
        "op share",
        "organic",
        "topics/homophily",
        "ops",
        "creation",
        "template",
        "op langs",
        "hijacked",
        "cover",
        "wave min",
        "burst min",
        "core+amps",
    ):
        table.add_column(column)
    for seed in args.seeds:
        table.add_row(*_row(family_factors(seed, args.scale)))
    Console().print(table)


if __name__ == "__main__":
    main()
