import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.load import counts, load
from tierscope.graphdb.store import Store

SHARES_HEADER = "object_id,account_id,content_id,timestamp_share\n"


def _expected_shares() -> tuple[int, int, int]:
    """Counts the graph must hold after loading the CooRTweet sample, from the CSV itself.

    The sample has a few shares of two objects and one duplicated row, so posts are the
    distinct ids and retweets the distinct (share, object) pairs.
    """
    frame = pl.read_csv(SHARED_SHARES)
    accounts = frame["account_id"].n_unique()
    posts = pl.concat([frame["content_id"], frame["object_id"]]).n_unique()
    retweets = frame.select("content_id", "object_id").unique().height
    return accounts, posts, retweets


SHARED_SHARES = (
    Path(__file__).resolve().parents[2].parent / "shared/data/coortweet/russian_coord_tweets.csv"
)
EXPECTED_SHARES = _expected_shares()


def one(store: Store, cypher: str, **params):
    return store.run(cypherlib.parse(cypher), params)


def test_load_shares_counts_and_reload_changes_nothing(store: Store, shared: Path):
    path = shared / "coortweet" / "russian_coord_tweets.csv"
    summary = load(store, [path])
    assert summary.rows == 35_125 and summary.rejects == 0
    assert (summary.accounts, summary.posts, summary.retweets) == EXPECTED_SHARES
    first = counts(store)
    again = load(store, [path])
    assert counts(store) == first
    assert again.rejects == 0
    # a retweet's original is a stub post with only its id
    stub = one(
        store,
        "MATCH (o:Post)<-[:RETWEET_OF]-() WHERE NOT (o)-[:RETWEET_OF]->() RETURN o LIMIT 1",
    )[0]["o"]
    assert set(stub) == {"id"}
    times = one(
        store,
        "MATCH (p:Post {id: '114e22f1b2b648528277b76f0b0224e7'}) "
        "RETURN p.created_at.epochSeconds AS t, p.created_at.timezone AS tz",
    )
    assert times == [{"t": 1623881091, "tz": "Z"}]


def test_load_io_archive_folder(store: Store, shared: Path, cli):
    result = cli.invoke(app, ["load", str(shared / "io-archive"), "--json"])
    assert result.exit_code == 0, result.output
    got = counts(store)
    assert got["posts"] >= 407
    rows = one(
        store,
        "MATCH (a:Account {id: '4125840934'})-[:POSTED]->(p:Post {id: '894109669869985793'}) "
        "OPTIONAL MATCH (p)-[:TAGS]->(h:Hashtag) "
        "RETURN a.screen_name AS sn, a.followers AS f, p.lang AS lang, "
        "toString(p.created_at) AS t, collect(h.tag) AS tags",
    )
    assert rows[0]["sn"] == "Inside_Syria" and rows[0]["f"] == 19816
    assert rows[0]["t"] == "2017-08-06T08:15:00Z"
    assert sorted(rows[0]["tags"]) == ["hama", "insidesyriamc", "syrianarmy"]
    users = one(store, "MATCH (a:Account {id: '747292706536226816'}) RETURN a.screen_name AS s")
    assert users == [{"s": "gurevadona88"}]


def test_load_twarc2(store: Store, shared: Path):
    summary = load(store, [shared / "twarc2" / "flat.jsonl", shared / "twarc2" / "noflat.jsonl"])
    assert summary.rejects == 0
    rt = one(store, "MATCH (:Post)-[r:RETWEET_OF]->(o:Post) RETURN count(r) AS n")[0]["n"]
    assert rt > 0
    # the retweeted original's author is known from the expanded references
    authored = one(
        store, "MATCH (:Account)-[:POSTED]->(o:Post)<-[:RETWEET_OF]-() RETURN count(o) AS n"
    )
    assert authored[0]["n"] > 0


def test_missing_column_writes_nothing(store: Store, tmp_path: Path, cli):
    good = tmp_path / "good.csv"
    good.write_text(SHARES_HEADER + "o1,a1,s1,1600000000\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("tweetid,userid,tweet_text\n1,2,hello\n")
    with pytest.raises(InputError, match=r"bad\.csv.*tweet_time"):
        load(store, [good, bad])
    assert counts(store)["posts"] == 0
    result = cli.invoke(app, ["load", str(good), str(bad)])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "tweet_time" in result.output


def test_bad_rows_go_to_the_reject_file_and_good_rows_load(store: Store, tmp_path: Path, cli):
    path = tmp_path / "shares.csv"
    path.write_text(
        SHARES_HEADER
        + "o1,a1,s1,1600000000\n"
        + "o1,a2,s2,not-a-time\n"
        + "o1,,s3,1600000001\n"
        + "o1,a4,s4,1600000002,extra\n"
        + "o1,a5,s5,1600000003\n"
    )
    result = cli.invoke(app, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert counts(store)["retweets"] == 2
    with open(str(path) + ".rejects.csv", newline="") as f:
        rejects = list(csv.DictReader(f))
    assert [r["line"] for r in rejects] == ["3", "4", "5"]
    assert "o1,a2,s2,not-a-time" in rejects[0]["raw"]


def test_max_rejects_fails_non_zero(store: Store, tmp_path: Path, cli):
    path = tmp_path / "shares.csv"
    path.write_text(SHARES_HEADER + "".join(f"o1,,s{i},1600000000\n" for i in range(10)))
    result = cli.invoke(app, ["load", str(path), "--max-rejects", "3"])
    assert result.exit_code == 3
    assert "max-rejects" in result.output


def test_killed_load_can_be_run_again(store: Store, shared: Path, tmp_path: Path):
    source = shared / "coortweet" / "russian_coord_tweets.csv"
    path = tmp_path / "shares.csv"
    shutil.copy(source, path)
    cmd = [sys.executable, "-m", "cli", "load", str(path), "--batch-size", "500"]
    proc = subprocess.Popen(
        cmd, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while counts(store)["posts"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = counts(store)
    assert 0 < partial["retweets"] < 35_125
    load(store, [path])
    assert tuple(counts(store).values()) == EXPECTED_SHARES
