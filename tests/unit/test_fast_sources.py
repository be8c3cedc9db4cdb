"""The polars reader (`Source.chunks`) gives exactly the rows and rejects of the line reader."""

from __future__ import annotations

import gzip
import random
import zipfile
from pathlib import Path

import polars as pl
import pytest

from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources import _fast, open_source
from tierscope.graphdb.sources.frames import frame_to_rows, rows_to_frame

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
DATA = Path(__file__).parents[2].parent / "shared" / "data"


def by_lines(path: Path, **kw) -> tuple[list[Row], list[Reject]]:
    with open_source(path, **kw) as source:
        items = list(source)
    return [i for i in items if isinstance(i, Row)], [i for i in items if isinstance(i, Reject)]


def by_chunks(path: Path, **kw) -> tuple[list[Row], list[Reject]]:
    rows: list[Row] = []
    rejects: list[Reject] = []
    with open_source(path, **kw) as source:
        for chunk in source.chunks():
            rows += frame_to_rows(chunk.frame)
            rejects += chunk.rejects
    return rows, rejects


def same(path: Path, **kw) -> tuple[list[Row], list[Reject]]:
    expected = by_lines(path, **kw)
    got = by_chunks(path, **kw)
    assert got[1] == expected[1]  # rejects: line, field, reason, raw
    assert got[0] == expected[0]
    return expected


@pytest.mark.parametrize(
    "name",
    [
        "bad_time.csv",
        "bad_values.csv",
        "empty_id.csv",
        "invalid_utf8.csv",
        "nul_byte.csv",
        "stray_quote.csv",
        "unterminated_quote.csv",
        "wrong_field_count.csv",
        "bad_lines.jsonl",
    ],
)
def test_every_bad_input_fixture(name: str) -> None:
    rows, rejects = same(FIXTURES / name)
    assert rejects  # each fixture has bad rows, and they are found the same way


@pytest.mark.parametrize(
    ("path", "kw"),
    [
        (DATA / "io-archive" / "tweets_sample.csv", {}),
        (DATA / "io-archive" / "users_sample.csv", {}),
        (DATA / "coortweet" / "russian_coord_tweets.csv", {}),
        (
            DATA / "coortweet" / "german_elections.csv",
            {
                "mapping": {
                    "post_id": "post_id",
                    "account_id": "account_id",
                    "created_at": "timestamp",
                    "urls": "url_id",
                    "hashtags": "hashtag_id",
                }
            },
        ),
    ],
)
def test_shared_samples(path: Path, kw: dict) -> None:
    same(path, **kw)


def test_frames_round_trip() -> None:
    rows, _ = by_lines(DATA / "io-archive" / "tweets_sample.csv")
    assert list(frame_to_rows(rows_to_frame(rows))) == rows


# --- random files with every kind of damage, read in tiny blocks -------------------------

HEADER = "tweetid,userid,tweet_time,tweet_text,hashtags,follower_count,account_creation_date"


def _field(rng: random.Random) -> str:
    return rng.choice(
        [
            "plain",
            "",
            '"quoted, with comma"',
            '"say ""hi"""',
            '"two\nlines"',
            '"three\nlines\nhere"',
            'mid"quote',
            '"open',
            'close"',
            '"quoted"x',
            "café",
            "te\0xt",
            "cr\rhere",
            " ",
        ]
    )


def _time(rng: random.Random) -> str:
    return rng.choice(
        [
            "2017-01-01 00:00",
            "2017-01-01 23:59:59",
            "2017-01-01T10:15",
            "2017-02-30 00:00",
            "2017-01-01 24:00",
            "0000-01-01 00:00",
            "1623881091",
            "1623881091.5",
            "yesterday",
            "",
            "2017-01-01",
            "2017-01-01 00:00:60",
            "2017-01-01T10:15:00Z",
        ]
    )


def _list(rng: random.Random) -> str:
    return rng.choice(
        ["", "[]", "['a', 'B']", "['a','b']", "[1, 2]", "[12]", "\"['it''s']\"", "['a'", "x"]
    )


def _count(rng: random.Random) -> str:
    return rng.choice(["", "12", "12.0", "-1", "ten", "007"])


def _line(rng: random.Random, i: int) -> str:
    kind = rng.random()
    if kind < 0.03:
        return rng.choice(["", "   ", "\t", "a,b", "1,2,3,4,5,6,7,8"])
    fields = [
        rng.choice([str(i), "", f'"{i}"']),
        rng.choice(["u1", "u2", "", '"u3"']),
        _time(rng),
        _field(rng) if rng.random() < 0.3 else f"text {i}",
        _list(rng),
        _count(rng),
        rng.choice(["", "2015-11-06", "2015-13-06"]),
    ]
    return ",".join(fields)


@pytest.mark.parametrize("seed", range(12))
def test_random_damage_reads_the_same(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    lines = [HEADER] + [_line(rng, i) for i in range(400)]
    body = "\n".join(lines) + rng.choice(["\n", ""])
    data = body.encode()
    if seed % 3 == 0:  # a stray byte that is not UTF-8
        at = rng.randrange(len(HEADER) + 1, len(data))
        data = data[:at] + b"\xff" + data[at:]
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    monkeypatch.setattr(_fast, "BLOCK_BYTES", rng.choice([64, 300, 2000, 1 << 20]))
    rows, rejects = same(path)
    assert rows and rejects


def test_clean_file_is_read_by_polars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean file never reaches the line reader (which would make it slow)."""
    path = tmp_path / "shares.csv"
    path.write_text(
        "object_id,account_id,content_id,timestamp_share\n"
        + "".join(f"o{i % 7},a{i % 13},c{i},{1600000000 + i}\n" for i in range(5000))
    )
    fed: list[int] = []
    original = _fast.LineReader.feed

    def spy(self, lineno: int, line: bytes):
        fed.append(lineno)
        return original(self, lineno, line)

    monkeypatch.setattr(_fast.LineReader, "feed", spy)
    rows, _ = by_chunks(path)
    assert len(rows) == 5000 and fed == []
    assert rows[-1].line == 5001 and rows[-1].post is not None
    assert rows[-1].post.created_at == 1600004999


def test_gzip_and_zip_members(tmp_path: Path) -> None:
    gz = tmp_path / "bad_time.csv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "bad_time.csv").read_bytes()))
    same(gz)
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "bad_time.csv", "part1/bad_time.csv")
        zf.write(FIXTURES / "wrong_field_count.csv", "wrong_field_count.csv")
    same(archive)


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(
        b"\xef\xbb\xbftweetid,userid,tweet_time,tweet_text\r\n\r\n"
        b'1,u,2017-01-01 00:00,"a\r\nb"\r\n2,u,2017-01-01 00:00,plain\r\n'
    )
    rows, rejects = same(path)
    assert len(rows) == 2 and rejects == []


def test_chunks_are_frames_in_file_order() -> None:
    with open_source(DATA / "io-archive" / "tweets_sample.csv") as source:
        chunks = list(source.chunks())
    frame = pl.concat([c.frame for c in chunks])
    assert frame["line"].is_sorted()
    assert frame.height == 407


def test_twarc2_lines_orjson_refuses_still_load(tmp_path: Path) -> None:
    """orjson reads twarc2 lines; what it refuses but json takes (NaN, a huge integer)
    still loads, and a line neither reads is rejected with json's reason."""
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"id": "1", "text": "a", "author_id": "2", "created_at": "1", "x": NaN}\n'
        '{"id": "3", "text": "b", "author_id": "4", "created_at": "1", "n": 1' + "0" * 30 + "}\n"
        "{broken\n"
    )
    rows, rejects = same(path)
    assert [r.post.id for r in rows if r.post] == ["1", "3"]
    assert [(r.line, r.reason.split(" (")[0]) for r in rejects] == [(3, "not JSON")]
