"""The scenario family: what varies across draws, and what every draw holds and promises."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import tierscope.cli.generate  # noqa: F401  (adds the command)
from tierscope.cli.main import app
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.generate import ROLES, generate
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.scenarios import FamilyDraw, family_factors
from tierscope.graphdb.sources import open_source

SCALE = 0.1
SEEDS = range(1, 31)
OP_ROLES = ("principal", "core", "amplifier")


def _seed(wanted: Callable[[FamilyDraw], bool]) -> int:
    """The first seed whose draw is as `wanted`."""
    return next(s for s in range(1, 500) if wanted(family_factors(s, SCALE)))


def _ops(d: FamilyDraw, **factors: object) -> bool:
    return any(all(getattr(o, k) == v for k, v in factors.items()) for o in d.ops)


@dataclass
class Draw:
    out: Path
    scenario: dict
    truth: pl.DataFrame
    posts: pl.DataFrame  # every post, its author's truth, and its original's (suffix _o)
    accounts: pl.DataFrame  # id, created (Unix seconds) of every account the files hold
    rows: int
    rejects: int


def _load(out: Path) -> Draw:
    scenario = json.loads((out / "scenario.json").read_text())
    posts, accounts, rows, rejects = [], {}, 0, 0
    for name in scenario["files"][:-1]:
        with open_source(out / name) as source:
            for item in source:
                rows += 1
                if isinstance(item, Reject):
                    rejects += 1
                    continue
                assert isinstance(item, Row) and item.account
                accounts.setdefault(item.account.id, item.account.created_at)
                if p := item.post:
                    posts.append(
                        (p.id, p.account_id, p.created_at, p.retweet_of, p.reply_to, p.text)
                    )
    truth = pl.read_csv(out / "truth.csv", infer_schema=False).fill_null("")
    frame = pl.DataFrame(
        posts, schema=["id", "userid", "time", "retweet_of", "reply_to", "text"], orient="row"
    ).join(truth, on="userid", how="left")
    originals = frame.select(
        retweet_of="id", userid_o="userid", time_o="time", role_o="role", op_o="op", kind_o="kind"
    )
    return Draw(
        out=out,
        scenario=scenario,
        truth=truth,
        posts=frame.join(originals, on="retweet_of", how="left"),
        accounts=pl.DataFrame(
            {"userid": list(accounts), "created": list(accounts.values())},
            schema={"userid": pl.String, "created": pl.Int64},
        ),
        rows=rows,
        rejects=rejects,
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Draw:
    """A draw in the archive form with all three shapes and hijacked accounts with history."""
    seed = _seed(lambda d: d.form == "archive" and len(d.ops) == 3 and _ops(d, hijacked="history"))
    out = tmp_path_factory.mktemp("archive")
    generate(out, "family", SCALE, seed)
    return _load(out)


@pytest.fixture(scope="module")
def twarc(tmp_path_factory: pytest.TempPathFactory) -> Draw:
    """A twarc2 draw to the second with hijacked accounts without history."""
    seed = _seed(lambda d: d.resolution == "second" and _ops(d, hijacked="no_history"))
    out = tmp_path_factory.mktemp("twarc")
    generate(out, "family", SCALE, seed)
    return _load(out)


@pytest.fixture(params=["archive", "twarc"])
def draw(request: pytest.FixtureRequest) -> Draw:
    return request.getfixturevalue(request.param)


def _op(d: Draw, shape: str) -> dict:
    return next(o for o in d.scenario["ops"] if o["shape"] == shape)


def _retweets(d: Draw) -> pl.DataFrame:
    return d.posts.filter(pl.col("retweet_of").is_not_null())


# --- the family -----------------------------------------------------------------------------


def test_draws_vary_every_factor() -> None:
    draws = [family_factors(seed, SCALE) for seed in SEEDS]
    ops = [o for d in draws for o in d.ops]
    assert {(d.form, d.resolution) for d in draws} == {
        ("archive", "minute"),
        ("twarc2", "second"),
        ("twarc2", "minute"),
    }
    assert {d.languages for d in draws} == {"one", "mixed"}
    assert {"".join(sorted(o.shape for o in d.ops)) for d in draws} == {"AC", "BC", "ABC"}
    assert {len(d.spikes) for d in draws} == {1, 2}
    assert {o.creation for o in ops} == {"none", "one", "several"}
    assert {o.template for o in ops} == {True, False}
    assert {o.languages for o in ops} == {"same", "different"}
    assert {o.hijacked for o in ops} == {"none", "history", "no_history"}
    assert {o.op for o in ops if o.shape == "C"} == {"op1", "op2", "op3"}

    def spans(values: list[float], low: float, high: float) -> bool:
        return min(values) <= low and max(values) >= high

    assert spans([o.cover for o in ops], 0.05, 0.25)
    assert spans([o.wave_minutes for o in ops], 3, 30)
    assert spans([o.burst_minutes for o in ops], 20, 200)
    assert spans([d.share_target for d in draws], 0.04, 0.12)
    assert spans([d.homophily for d in draws], 0.4, 0.7)
    assert spans([len(d.topics) for d in draws], 4, 10)


def test_every_draw_has_shape_c_and_each_shape_its_ranges() -> None:
    for seed in range(1, 101):
        d = family_factors(seed, 1.0)
        shapes = [o.shape for o in d.ops]
        assert "C" in shapes and len(shapes) in (2, 3) and len(set(shapes)) == len(shapes)
        assert [o.op for o in d.ops] == [f"op{i}" for i in range(1, len(shapes) + 1)]
        principals = [p for o in d.ops for p in o.principals]
        assert len(set(principals)) == len(principals)  # no principal serves two ops
        assert 0.02 <= d.share_target <= 0.15
        assert 200 <= d.fans <= 1000 and 20 <= d.relays <= 60
        for o in d.ops:
            if o.shape == "A":
                assert 3 <= len(o.principals) <= 6 and 2 <= len(o.core_cells) <= 5
                assert all(10 <= n <= 40 for n in o.core_cells)
                # 2-4 drawn per cell, plus any principal no cell drew: every one is pushed.
                assert all(2 <= len(p) <= 6 for p in o.cell_principals)
                assert {i for p in o.cell_principals for i in p} == set(range(len(o.principals)))
                assert 2 <= len(o.amplifier_cells) <= 6
                assert all(40 <= n <= 150 for n in o.amplifier_cells)
                assert all(1 <= len(f) <= 3 for f in o.cell_feeds)
            elif o.shape == "B":
                assert 1 <= len(o.principals) <= 2 and 30 <= o.core_cells[0] <= 80
            else:
                assert o.principals[0].startswith("Amb") and 2 <= len(o.principals) <= 3
                assert 1 <= len(o.core_cells) <= 2 and 500 <= o.direct <= 3000
                assert o.core_touch < 0.05


def test_scale_multiplies_crowds_only() -> None:
    small, large = family_factors(4, 0.5), family_factors(4, 1.0)
    assert (small.homophily, small.form, small.relay_rate) == (
        large.homophily,
        large.form,
        large.relay_rate,
    )
    assert abs(small.organic / large.organic - 0.5) < 0.01
    for a, b in zip(small.ops, large.ops, strict=True):
        assert (a.shape, a.principal_posts, a.cover, a.amplified) == (
            b.shape,
            b.principal_posts,
            b.cover,
            b.amplified,
        )
        assert sum(a.core_cells) < sum(b.core_cells)


def test_same_seed_same_bytes_other_seed_other_draw(archive: Draw, tmp_path: Path) -> None:
    seed = archive.scenario["seed"]
    generate(tmp_path / "again", "family", SCALE, seed)
    generate(tmp_path / "other", "family", SCALE, seed + 1)
    names = sorted(p.name for p in archive.out.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in names:
        assert (tmp_path / "again" / name).read_bytes() == (archive.out / name).read_bytes()
    other = (tmp_path / "other" / "scenario.json").read_text()
    assert other != (archive.out / "scenario.json").read_text()


def test_twarc2_same_seed_same_bytes(twarc: Draw, tmp_path: Path) -> None:
    generate(tmp_path, "family", SCALE, twarc.scenario["seed"])
    for name in ("tweets.jsonl", "truth.csv", "scenario.json"):
        assert (tmp_path / name).read_bytes() == (twarc.out / name).read_bytes()


def test_scenario_json_records_the_draw_and_its_counts(draw: Draw) -> None:
    s = draw.scenario
    factors = json.loads(json.dumps(asdict(family_factors(s["seed"], SCALE))))
    assert {k: v for k, v in s.items() if k not in ("scenario", "files", "counts")} == factors
    counts = s["counts"]
    assert counts["accounts"] == draw.truth.height == draw.accounts.height
    assert counts["posts"] == draw.posts.height
    assert counts["retweets"] == _retweets(draw).height
    assert counts["roles"] == dict(draw.truth["role"].value_counts().iter_rows())
    in_ops = draw.truth["role"].is_in(OP_ROLES).mean()
    assert counts["op_share"] == pytest.approx(in_ops, abs=1e-4)


# --- files ----------------------------------------------------------------------------------


def test_both_forms_load_without_rejects(archive: Draw, twarc: Draw) -> None:
    assert archive.scenario["files"] == ["tweets.csv", "users.csv", "truth.csv"]
    assert twarc.scenario["files"] == ["tweets.jsonl", "truth.csv"]
    for d in (archive, twarc):
        assert d.rejects == 0
        assert d.posts["id"].is_unique().all()
        assert set(d.accounts["userid"]) == set(d.truth["userid"])
        # Every retweet and reply points at a post in the files.
        assert d.posts["userid_o"].null_count() == d.posts["retweet_of"].null_count()
        assert set(d.posts["reply_to"].drop_nulls()) <= set(d.posts["id"])
    # The archive: a row per post, then one per account in users.csv.
    assert archive.rows == archive.posts.height + archive.accounts.height
    # twarc2: a row per post, then one per included user not among its page's authors; the
    # authors of the included tweets are included users.
    others = 0
    with (twarc.out / "tweets.jsonl").open(encoding="utf-8") as f:
        for line in f:
            page = json.loads(line)
            users = {user["id"] for user in page["includes"]["users"]}
            assert {t["author_id"] for t in page["includes"].get("tweets", [])} <= users
            others += len(users - {t["author_id"] for t in page["data"]})
    assert twarc.rows == twarc.posts.height + others


def test_times_have_the_drawn_resolution(archive: Draw, twarc: Draw, tmp_path: Path) -> None:
    with (archive.out / "tweets.csv").open(encoding="utf-8") as f:
        header = f.readline()
        assert header.startswith('"tweetid","userid"')
        assert re.search(r'"\d{4}-\d\d-\d\d \d\d:\d\d"', f.readline())
    assert (archive.posts["time"] % 60 == 0).all()
    assert (twarc.posts["time"] % 60 != 0).mean() > 0.9
    seed = _seed(lambda d: d.form == "twarc2" and d.resolution == "minute")
    generate(tmp_path, "family", 0.02, seed)
    with (tmp_path / "tweets.jsonl").open(encoding="utf-8") as f:
        page = json.loads(f.readline())
    assert {tweet["created_at"][-8:] for tweet in page["data"]} == {":00.000Z"}
    assert set(page) == {"data", "includes", "meta"}
    assert page["meta"]["result_count"] == len(page["data"])


def test_truth_covers_every_account_with_roles_consistent_with_the_draw(draw: Draw) -> None:
    truth, s = draw.truth, draw.scenario
    assert truth.columns == ["userid", "role", "op", "kind"]
    assert truth["userid"].is_unique().all()
    assert set(truth["role"]) <= set(ROLES)
    assert truth.select((pl.col("role").is_in(OP_ROLES) == (pl.col("op") != "")).all()).item()
    assert set(truth["op"]) - {""} == {o["op"] for o in s["ops"]}
    by = {(r, o): n for r, o, n in truth.group_by("role", "op").len().iter_rows()}
    for o in s["ops"]:
        assert by["principal", o["op"]] == len(o["principals"])
        assert 0.9 * sum(o["core_cells"]) <= by["core", o["op"]] <= sum(o["core_cells"])
        amplifiers = sum(o["amplifier_cells"]) + o["direct"]
        assert 0.9 * amplifiers <= by.get(("amplifier", o["op"]), 0) <= amplifiers
    assert by["celebrity", ""] == by["outlet", ""] == 1
    assert 0.9 * s["fans"] <= by["fan", ""] <= s["fans"]
    assert 0.8 * s["relays"] <= by["relay", ""] <= s["relays"]
    kinds = truth.group_by("op", "role", kind=pl.col("kind").str.replace(r"\+hijacked", "")).len()
    kinds = {(o, r, k) for o, r, k, _ in kinds.iter_rows()}
    for o in s["ops"]:
        expected = {
            "A": {("core", "cell1"), ("amplifier", "ampcell1")},
            "B": {("core", "ring")},
            "C": {("principal", "ambassador"), ("core", "cell1"), ("amplifier", "direct")},
        }[o["shape"]]
        assert {(o["op"], role, kind) for role, kind in expected} <= kinds
    hijacked = truth.filter(pl.col("kind").str.contains("hijacked"))
    assert set(hijacked["op"]) == {o["op"] for o in s["ops"] if o["hijacked"] != "none"}


# --- what the draws plant -------------------------------------------------------------------


def test_direct_amplifiers_retweet_the_ambassador_and_hardly_the_core(draw: Draw) -> None:
    c = _op(draw, "C")
    direct = _retweets(draw).filter(
        (pl.col("op") == c["op"]) & (pl.col("kind").str.starts_with("direct"))
    )
    on_core = (pl.col("op_o") == c["op"]) & (pl.col("role_o") == "core")
    on_ambassador = pl.col("kind_o") == "ambassador"
    assert direct.select(on_core.mean()).item() < 0.05
    assert direct.select(on_ambassador.mean()).item() > 1 - c["cover"] - 0.1
    per_account = direct.filter(on_ambassador).group_by("userid").len()["len"]
    assert 5 <= per_account.median() <= 40


def test_relay_bots_retweet_the_outlet_within_the_window(draw: Draw) -> None:
    relays = draw.posts.filter(pl.col("role") == "relay")
    assert relays.height > 0 and relays["retweet_of"].null_count() == 0  # no originals
    assert (relays["role_o"] == "outlet").all()
    lag = relays["time"] - relays["time_o"]
    if draw.scenario["resolution"] == "second":
        assert lag.min() >= 1 and lag.max() <= draw.scenario["relay_lag_seconds"]
    else:
        assert (lag == 0).all()  # the same minute
    # The outlet has a genuine audience too, and it is slower.
    audience = _retweets(draw).filter(
        (pl.col("role_o") == "outlet") & (pl.col("role") == "organic")
    )
    assert (audience["time"] - audience["time_o"]).median() > 600


def test_principals_have_a_genuine_audience(draw: Draw) -> None:
    organic = _retweets(draw).filter(pl.col("role") == "organic")
    for o in draw.scenario["ops"]:
        assert (
            organic.filter((pl.col("op_o") == o["op"]) & (pl.col("role_o") == "principal")).height
            > 0
        )
    ambassador = organic.filter(pl.col("kind_o") == "ambassador")
    assert ambassador.height > 0


def test_cores_push_principals_and_amplifiers_feed_on_cores(archive: Draw) -> None:
    retweets = _retweets(archive)
    for shape in "ABC":
        o = _op(archive, shape)
        core = retweets.filter((pl.col("op") == o["op"]) & (pl.col("role") == "core"))
        assert (
            core.filter((pl.col("op_o") == o["op"]) & (pl.col("role_o") == "principal")).height > 0
        )
    a = _op(archive, "A")
    amps = retweets.filter((pl.col("op") == a["op"]) & (pl.col("role") == "amplifier"))
    on_core = amps.select(
        ((pl.col("op_o") == a["op"]) & (pl.col("role_o") == "core")).mean()
    ).item()
    assert on_core > 1 - a["cover"] - 0.1
    b = _op(archive, "B")
    ring = archive.posts.filter(pl.col("op") == b["op"]).filter(pl.col("role") == "core")
    handles = pl.read_csv(archive.out / "users.csv", infer_schema=False).join(
        ring.select("userid").unique(), on="userid"
    )
    assert handles["user_screen_name"].str.contains(r"^[a-z]+\d{4,}$").all()
    assert ring.filter(pl.col("op_o") == b["op"]).height > 0.5 * ring["retweet_of"].count()


def test_background_decoys(draw: Draw) -> None:
    posts, truth = draw.posts, draw.truth
    fans = _retweets(draw).filter((pl.col("role") == "fan") & (pl.col("role_o") == "celebrity"))
    assert (fans["time"] - fans["time_o"]).median() < 15 * 60
    # Common phrases, word for word from many ordinary accounts.
    originals = posts.filter((pl.col("role") == "organic") & pl.col("retweet_of").is_null())
    shared = originals.group_by("text").agg(pl.col("userid").n_unique())["userid"]
    assert shared.max() >= 5
    # Sign-up spikes: each spike's accounts made on one day.
    created = draw.accounts.join(truth, on="userid")
    spiked = created.filter(pl.col("kind").str.contains("spike"))
    assert spiked.height > 0
    assert spiked.group_by(pl.col("created") // 86_400).len().height == len(draw.scenario["spikes"])
    # Dormant accounts: back after more than a year of silence.
    gaps = (
        posts.filter(pl.col("kind").str.contains("dormant"))
        .sort("time")
        .group_by("userid")
        .agg(gap=pl.col("time").diff().max())
    )
    assert gaps.height > 0 and (gaps["gap"] > 365 * 86_400).all()
    # Homophily: ordinary retweets stay inside the topic group more than by chance.
    topic = pl.col("kind").str.extract(r"topic(\d+)")
    pairs = _retweets(draw).filter((pl.col("role") == "organic") & (pl.col("role_o") == "organic"))
    pairs = pairs.select(topic, pl.col("kind_o").str.extract(r"topic(\d+)").alias("topic_o"))
    chance = sum(t**2 for t in draw.scenario["topics"])
    assert pairs.select((pl.col("kind") == pl.col("topic_o")).mean()).item() > chance + 0.1


def test_hijacked_accounts_with_and_without_history(archive: Draw, twarc: Draw) -> None:
    for d, with_history in ((archive, True), (twarc, False)):
        o = next(
            o
            for o in d.scenario["ops"]
            if o["hijacked"] == ("history" if with_history else "no_history")
        )
        start = int(pl.Series([o["start"]]).str.to_date().dt.epoch("s").item())
        hijacked = d.posts.filter(
            (pl.col("op") == o["op"]) & pl.col("kind").str.contains("hijacked")
        )
        early = hijacked.filter(pl.col("time") < start)
        if with_history:
            assert early.height > 0 and (early["time"] < start - 365 * 86_400).all()
        else:
            assert early.height == 0
        created = d.accounts.join(hijacked.select("userid").unique(), on="userid")["created"]
        assert created.max() < start - 3 * 365 * 86_400  # genuine old accounts


def test_bad_scale_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scale"):
        generate(tmp_path, "family", 0, 1)


def test_cli_writes_a_draw(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", str(tmp_path), "--scenario", "family", "--seed", "2", "--scale", "0.02"]
    )
    assert result.exit_code == 0, result.output
    assert "relay" in result.stdout
    assert json.loads((tmp_path / "scenario.json").read_text())["seed"] == 2
