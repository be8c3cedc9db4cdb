"""Streaming sources: the real shared samples, every kind of bad input, the reject file."""

from __future__ import annotations

import csv
import gzip
import io
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources import FORMATS, open_source
from tierscope.graphdb.sources import rejects as rejects_module
from tierscope.graphdb.sources._values import BadValue, count_field, list_field, parse_time
from tierscope.graphdb.sources.rejects import RejectWriter, default_rejects_path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
DATA = Path(__file__).parents[2].parent / "shared" / "data"
GERMAN_MAPPING = {
    "post_id": "post_id",
    "account_id": "account_id",
    "created_at": "timestamp",
    "urls": "url_id",
    "hashtags": "hashtag_id",
}


def read(
    path: Path, format: str | None = None, mapping: dict[str, str] | None = None
) -> tuple[list[Row], list[Reject]]:
    with open_source(path, format, mapping) as source:
        items = list(source)
    rows = [item for item in items if isinstance(item, Row)]
    return rows, [item for item in items if isinstance(item, Reject)]


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# --- the real samples -------------------------------------------------------------------


def test_archive_tweets_sample() -> None:
    path = DATA / "io-archive" / "tweets_sample.csv"
    with open_source(path) as source:
        assert source.format == "archive-tweets"
        assert source.path == path
        items = list(source)
    rows = [item for item in items if isinstance(item, Row)]
    assert len(rows) == 407 and len(items) == 407
    assert len({row.account.id for row in rows if row.account}) == 86
    first = rows[0]
    assert first.line == 2
    assert first.account is not None and first.post is not None
    assert first.account.id == "4125840934"
    assert first.account.screen_name == "Inside_Syria"
    assert first.account.display_name == "Inside Syria MC"
    assert first.account.created_at == epoch("2015-11-06")
    assert (first.account.followers, first.account.following) == (19816, 808)
    assert (first.account.lang, first.account.location) == ("en", "Syria")
    assert first.post.id == "894109669869985793"
    assert first.post.account_id == "4125840934"
    assert first.post.created_at == epoch("2017-08-06 08:15")
    assert first.post.hashtags == ["SyrianArmy", "Hama", "InsideSyriaMC"]
    assert first.post.urls == [
        "http://en.insidesyriamc.com/2017/08/06/new-convoy-of-syrian-army-arrived-in-hama/"
    ]
    assert first.post.client == "WordPress.com"
    assert first.post.retweet_of is None and first.post.mentions == []
    # Quoted text over two physical lines: one record, numbered by its first line.
    multi = rows[3]
    assert multi.line == 5 and multi.post is not None
    assert multi.post.text is not None and multi.post.text.startswith("#Iraq:\nMore than 30")
    retweets = [row.post for row in rows if row.post and row.post.retweet_of]
    assert len(retweets) == 3
    assert any(
        p.retweet_of == "580819071475826688" and p.retweet_of_account == "16307778"
        for p in retweets
    )
    assert sum(1 for row in rows if row.post and row.post.mentions) == 49
    assert rows[-1].line == 997
    assert [row.line for row in rows] == sorted(row.line for row in rows)


def test_archive_users_sample() -> None:
    rows, rejects = read(DATA / "io-archive" / "users_sample.csv")
    assert (len(rows), rejects) == (744, [])
    account = rows[0].account
    assert rows[0].post is None and account is not None
    assert account.id == "vMm2zemFOF7kmXoDyX24Bo+TorqhNutpZlATYyxsE="
    assert account.screen_name == account.id  # hashed accounts repeat the hash
    assert account.created_at == epoch("2017-08-30")
    assert (account.followers, account.following, account.lang) == (1, 52, "zh-cn")
    assert account.location is None
    assert rows[-1].line == 759


def test_shares_sample() -> None:
    rows, rejects = read(DATA / "coortweet" / "russian_coord_tweets.csv")
    assert (len(rows), rejects) == (35125, [])
    assert len({row.account.id for row in rows if row.account}) == 9509
    assert len({row.post.retweet_of for row in rows if row.post}) == 7285
    post = rows[0].post
    assert post is not None
    assert post.id == "114e22f1b2b648528277b76f0b0224e7"
    assert post.account_id == "0fb4232d1b7b37069c13ee17579bd10e"
    assert post.retweet_of == "85d2d12251a735ce05255061f7f231e2"
    assert post.created_at == 1623881091


def test_generic_csv_with_mapping() -> None:
    path = DATA / "coortweet" / "german_elections.csv"
    with open_source(path, mapping=GERMAN_MAPPING) as source:
        assert source.format == "csv"
        items = list(source)
    rows = [item for item in items if isinstance(item, Row)]
    rejects = [item for item in items if isinstance(item, Reject)]
    # Three records in the file have no post_id at all.
    assert len(rows) == 218968
    assert [(r.line, r.field, r.reason) for r in rejects] == [
        (41002, "post_id", "empty id"),
        (50977, "post_id", "empty id"),
        (72320, "post_id", "empty id"),
    ]
    assert rejects[0].raw == "fb_45,,,,,,1632141427.0"
    first = rows[0]
    assert first.post is not None and first.account is not None
    assert (first.account.id, first.post.id) == ("fb_12670", "129235")
    assert first.post.created_at == 1629589836
    assert first.post.urls == ["23678"] and first.post.hashtags == []
    assert sum(1 for row in rows if row.post and row.post.hashtags) == 51194


def test_twarc2_page_and_flattened_forms_agree() -> None:
    page_rows, page_rejects = read(DATA / "twarc2" / "noflat.jsonl")
    flat_rows, flat_rejects = read(DATA / "twarc2" / "flat.jsonl")
    assert page_rejects == [] and flat_rejects == []
    page_posts = {row.post.id: row.post for row in page_rows if row.post}
    flat_posts = {row.post.id: row.post for row in flat_rows if row.post}
    assert len(page_posts) == 100
    assert page_posts == flat_posts
    page_accounts = {row.account.id for row in page_rows if row.account}
    assert page_accounts == {row.account.id for row in flat_rows if row.account}
    assert len(page_accounts) == 178

    first = page_rows[0]
    assert first.line == 1 and first.post is not None and first.account is not None
    assert first.post.id == "1380242611781386245"
    assert first.post.created_at == epoch("2021-04-08 19:34:16")
    assert first.post.retweet_of == "1380175475545362437"
    assert first.post.retweet_of_account == "2718660392"
    assert first.post.mentions == ["2718660392"]  # resolved from includes.users by username
    assert first.post.client == "Twitter for Android"
    assert first.account.screen_name == "Alexandravm12"
    assert (first.account.followers, first.account.following) == (58, 49)
    # A suspended user is not included, so its mention keeps the username.
    second = page_rows[1].post
    assert second is not None and second.mentions == ["gatewaypundit"]


def test_twarc2_reference_types_and_users() -> None:
    rows, rejects = read(DATA / "twarc2" / "brexit.jsonl")
    posts = [row.post for row in rows if row.post]
    assert rejects == [] and len(posts) == 100
    assert sum(1 for p in posts if p.retweet_of) == 67
    assert sum(1 for p in posts if p.quotes) == 11
    replies = [p for p in posts if p.reply_to]
    assert len(replies) == 10 and all(p.reply_to_account for p in replies)
    # Every retweet's original author comes from includes.tweets.
    assert all(p.retweet_of_account for p in posts if p.retweet_of)
    assert len({row.line for row in rows}) == 1  # one page, one line number

    users, rejects = read(DATA / "twarc2" / "users.jsonl")
    assert rejects == [] and len(users) == 96
    assert all(row.post is None and row.account for row in users)


def test_detects_every_format(tmp_path: Path) -> None:
    shares = tmp_path / "shares.csv"
    shares.write_text("content_id,timestamp_share,object_id,account_id\nc,1,o,a\n")
    users = tmp_path / "users.csv"
    users.write_text("userid,account_creation_date\nu,2015-11-06\n")
    jsonl = tmp_path / "tweets.jsonl"
    jsonl.write_text('\n  {"id": "1", "text": "t", "author_id": "2", "created_at": "1"}\n')
    for path, format in [
        (shares, "shares"),
        (users, "archive-users"),
        (jsonl, "twarc2"),
        (FIXTURES / "bad_time.csv", "archive-tweets"),
    ]:
        with open_source(path) as source:
            assert source.format == format
    assert set(FORMATS) == {"archive-tweets", "archive-users", "twarc2", "shares", "csv"}
    rows, _ = read(jsonl)
    assert rows[0].line == 2  # the blank first line still counts


def test_column_order_does_not_matter() -> None:
    # The fixture's header is userid,tweet_time,tweetid,tweet_text.
    rows, _ = read(FIXTURES / "bad_time.csv")
    assert rows[0].post is not None
    assert (rows[0].post.id, rows[0].post.account_id, rows[0].post.text) == ("1", "u1", "fine")


# --- bad input: each bad record is rejected, the good ones around it come out -----------


def test_unparseable_time() -> None:
    rows, rejects = read(FIXTURES / "bad_time.csv")
    assert [row.line for row in rows] == [2, 6]
    assert rows[1].post is not None and rows[1].post.created_at == epoch("2017-01-01 00:04:30")
    assert [(r.line, r.field) for r in rejects] == [
        (3, "tweet_time"),
        (4, "tweet_time"),
        (5, "tweet_time"),
    ]
    assert "unparseable time" in rejects[0].reason
    assert rejects[1].raw == "u1,yesterday,3,not a time"


def test_empty_ids() -> None:
    rows, rejects = read(FIXTURES / "empty_id.csv")
    assert [row.post.id for row in rows if row.post] == ["c1", "c5"]
    assert [(r.line, r.field, r.reason) for r in rejects] == [
        (3, "content_id", "empty id"),
        (4, "account_id", "empty id"),
        (5, "object_id", "empty id"),
    ]


def test_wrong_field_count() -> None:
    rows, rejects = read(FIXTURES / "wrong_field_count.csv")
    assert [row.line for row in rows] == [2, 5]
    assert [(r.line, r.reason, r.raw) for r in rejects] == [
        (3, "2 fields, expected 3", "2,u1"),
        (4, "4 fields, expected 3", "3,u1,2017-01-01 00:02,extra"),
    ]


def test_unterminated_quote_does_not_swallow_the_file() -> None:
    rows, rejects = read(FIXTURES / "unterminated_quote.csv")
    assert [row.post.id for row in rows if row.post] == ["1", "3", "4", "5", "6"]
    assert rows[0].post is not None and rows[0].post.text == "two\nlines"
    assert len(rejects) == 1
    assert rejects[0].line == 4
    assert rejects[0].raw == '2,u1,2017-01-01 00:01,"never closed'
    assert "unterminated quote" in rejects[0].reason


def test_unterminated_quote_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two lines of look-ahead: the open quote gives up before the end of the file.
    monkeypatch.setattr("tierscope.graphdb.sources._csv.MAX_RECORD_LINES", 2)
    rows, rejects = read(FIXTURES / "unterminated_quote.csv")
    assert [row.post.id for row in rows if row.post] == ["1", "3", "4", "5", "6"]
    assert [r.line for r in rejects] == [4]
    assert rejects[0].reason.startswith("unterminated quote: still open after 3 lines")


def test_stray_quote_closed_by_a_later_record() -> None:
    # The stray quote on line 3 pairs with the quote opening line 5's record; that
    # merged record does not parse, so only line 3 is rejected and 4..6 are read again.
    rows, rejects = read(FIXTURES / "stray_quote.csv")
    assert [row.post.id for row in rows if row.post] == ["1", "3", "4", "6"]
    assert [row.line for row in rows] == [2, 4, 5, 8]
    assert [(r.line, r.raw) for r in rejects] == [
        (3, '2,u1,2017-01-01 00:01,he said "hi'),
        (7, '5,u3,2017-01-01 00:04,"quoted"x'),
    ]
    assert rejects[0].reason.startswith("stray quote")
    assert rejects[1].reason.startswith("broken quoting")


def test_invalid_utf8(tmp_path: Path) -> None:
    rows, rejects = read(FIXTURES / "invalid_utf8.csv")
    assert [row.post.text for row in rows if row.post] == ["café", "ok"]
    assert [(r.line, r.field, r.reason) for r in rejects] == [(3, "tweet_text", "invalid UTF-8")]
    # The raw text keeps the undecodable bytes, and the reject file writes them back.
    out = tmp_path / "rejects.csv"
    with RejectWriter(out) as writer:
        writer.write(rejects[0])
    assert b"2,u1,2017-01-01 00:01,bad \xff\xfe byte" in out.read_bytes()


def test_nul_byte() -> None:
    rows, rejects = read(FIXTURES / "nul_byte.csv")
    assert [row.post.text for row in rows if row.post] == ["ok", "quoted, ok"]
    assert [(r.line, r.field, r.reason) for r in rejects] == [(3, "tweet_text", "NUL byte")]
    assert rejects[0].raw == "2,u1,2017-01-01 00:01,te\0xt"


def test_bad_counts_lists_and_dates() -> None:
    rows, rejects = read(FIXTURES / "bad_values.csv")
    assert [row.line for row in rows] == [2, 6]
    assert rows[0].post is not None and rows[0].post.hashtags == ["a", "b"]
    assert rows[1].account is not None
    assert (rows[1].account.followers, rows[1].account.created_at) == (None, None)
    assert [(r.line, r.field) for r in rejects] == [
        (3, "follower_count"),
        (4, "hashtags"),
        (5, "account_creation_date"),
    ]


def test_twarc2_bad_lines() -> None:
    rows, rejects = read(FIXTURES / "bad_lines.jsonl")
    assert [(row.line, row.post.id) for row in rows if row.post] == [
        (1, "10"),
        (3, "12"),
        (7, "14"),
        (8, "16"),
    ]
    # Line 3's included user 2 is the author of tweet 12: given once, with the tweet.
    assert [row.account.id for row in rows if row.account] == ["1", "2", "3", "4"]
    assert rows[-1].post is not None and rows[-1].post.hashtags == ["ok"]
    assert [(r.line, r.field) for r in rejects] == [
        (2, ""),
        (3, "created_at"),
        (4, ""),
        (5, ""),
        (8, "entities.hashtags"),
        (8, "data"),
    ]
    assert rejects[0].reason.startswith("not JSON") and rejects[0].raw == "{not json"
    assert '"created_at": "yesterday"' in rejects[1].raw  # the bad tweet, not the page
    assert rejects[2].reason == "not a JSON object"
    assert rejects[3].reason == "invalid UTF-8" and "\udcff" in rejects[3].raw
    assert rejects[4].reason == "not a list 'oops'" and '"oops"' in rejects[4].raw
    assert (rejects[5].reason, rejects[5].raw) == ("neither a tweet nor a user", "42")


# --- errors before anything is yielded --------------------------------------------------


def test_missing_required_column_fails_at_open() -> None:
    with pytest.raises(
        InputError, match=r"missing_column\.csv: missing required column 'tweet_time'"
    ):
        open_source(FIXTURES / "missing_column.csv")
    with pytest.raises(InputError, match=r"empty_id\.csv: missing required column 'tweetid'"):
        open_source(FIXTURES / "empty_id.csv", format="archive-tweets")


def test_unknown_format() -> None:
    with pytest.raises(InputError, match=r"unknown format .*--format"):
        open_source(FIXTURES / "unknown_format.csv")
    with pytest.raises(InputError, match="unknown format 'tsv'"):
        open_source(FIXTURES / "unknown_format.csv", format="tsv")
    with pytest.raises(InputError, match="not twarc2 JSONL"):
        open_source(FIXTURES / "unknown_format.csv", format="twarc2")


def test_mapping_errors() -> None:
    path = FIXTURES / "unknown_format.csv"  # columns a,b,c
    with pytest.raises(InputError, match=r"unknown_format\.csv: missing required column 'd'"):
        open_source(path, mapping={"post_id": "a", "account_id": "b", "created_at": "d"})
    with pytest.raises(InputError, match="unknown mapping field 'likes'"):
        open_source(
            path, mapping={"post_id": "a", "account_id": "b", "created_at": "c", "likes": "a"}
        )
    with pytest.raises(InputError, match="must name the column for 'created_at'"):
        open_source(path, mapping={"post_id": "a", "account_id": "b"})
    with pytest.raises(InputError, match="needs a mapping"):
        open_source(path, format="csv")
    with pytest.raises(InputError, match="does not go with 'shares'"):
        open_source(path, format="shares", mapping={"post_id": "a"})


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        open_source(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(InputError, match="empty"):
        open_source(empty)


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    body = b"tweetid,userid,tweet_time\n" + b"1,u,2017-01-01 00:00\n" * 50_000
    packed = gzip.compress(body)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"cut\.csv\.gz: cannot read"), open_source(path) as source:
        for _ in source:
            pass


# --- containers, encodings, streaming ---------------------------------------------------


def test_gzip_and_zip(tmp_path: Path) -> None:
    gz = tmp_path / "bad_time.csv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "bad_time.csv").read_bytes()))
    assert read(gz) == read(FIXTURES / "bad_time.csv")

    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "bad_time.csv", "part1/bad_time.csv")
        zf.writestr("notes.txt", "skipped: not csv or jsonl")
        zf.write(FIXTURES / "wrong_field_count.csv", "wrong_field_count.csv")
    rows, rejects = read(archive)
    assert [row.post.id for row in rows if row.post] == ["1", "5", "1", "4"]
    assert [(r.line, r.reason.split(":")[0]) for r in rejects] == [
        (3, "part1/bad_time.csv"),
        (4, "part1/bad_time.csv"),
        (5, "part1/bad_time.csv"),
        (3, "wrong_field_count.csv"),
        (4, "wrong_field_count.csv"),
    ]


def test_zip_members_must_share_a_format(tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "bad_time.csv", "tweets.csv")
        zf.write(FIXTURES / "empty_id.csv", "shares.csv")
    with pytest.raises(InputError, match=r"mixed\.zip:shares\.csv: format 'shares'"):
        open_source(archive)


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(
        b'\xef\xbb\xbftweetid,userid,tweet_time,tweet_text\r\n\r\n1,u,2017-01-01 00:00,"a\r\nb"\r\n'
    )
    rows, rejects = read(path)
    assert rejects == []
    assert rows[0].line == 3 and rows[0].post is not None
    assert rows[0].post.text == "a\r\nb"


def test_source_reads_once_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    with path.open("w") as out:
        out.write("object_id,account_id,content_id,timestamp_share\n")
        for i in range(50_000):
            out.write(f"o{i % 97},a{i % 1013},c{i},{1600000000 + i}.0\n")
    source = open_source(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert peak < 2_000_000  # a few buffers, not the file (3 MB) or its rows
    with pytest.raises(RuntimeError, match="only once"):
        iter(source)
    source.close()


# --- field parsers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-08-06 08:15", "2017-08-06 08:15:00"),
        ("2017-08-06 08:15:59", "2017-08-06 08:15:59"),
        ("2017-08-06T08:15:59.123Z", "2017-08-06 08:15:59"),
        ("2017-08-06T10:15:59+02:00", "2017-08-06 08:15:59"),
        ("2017-08-06T06:15:59-0200", "2017-08-06 08:15:59"),
        ("2015-11-06", "2015-11-06 00:00:00"),
        ("1623881091.0", "2021-06-16 22:04:51"),
        ("1623881091", "2021-06-16 22:04:51"),
    ],
)
def test_parse_time(text: str, expected: str) -> None:
    assert parse_time(text) == epoch(expected)


@pytest.mark.parametrize(
    "text",
    ["", "nan", "inf", "2017-02-30", "2017-08-06 24:00", "2017-08-06 08:60", "2017-08-06 -1:15",
     "2017-08-06 08:15+5", "06/08/2017 08:15", "yesterday"],
)  # fmt: skip
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("[]", []),
        ("['a', 'b']", ["a", "b"]),
        ("['a','b']", ["a", "b"]),
        ("[2572896396]", ["2572896396"]),
        ("[1, 2]", ["1", "2"]),
        ("[\"it's\", 'b']", ["it's", "b"]),
        ("['it\\'s']", ["it's"]),
        ("['سورية_النظر_من_الداخل']", ["سورية_النظر_من_الداخل"]),
    ],
)
def test_list_field(text: str, expected: list[str]) -> None:
    assert list_field(text, "hashtags") == expected


@pytest.mark.parametrize("text", ["['a'", "a, b", "[']", "[{'a': 1}]", "['a' + 'b']"])
def test_list_field_rejects(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        list_field(text, "hashtags")
    assert caught.value.field == "hashtags"


def test_count_field() -> None:
    assert count_field("", "n") is None
    assert count_field("19816", "n") == 19816
    assert count_field("19816.0", "n") == 19816
    for bad in ("-1", "1.5", "ten"):
        with pytest.raises(BadValue):
            count_field(bad, "n")


# --- the reject file --------------------------------------------------------------------


def test_reject_writer_is_lazy_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "in.csv.rejects.csv"
    with RejectWriter(path) as writer:
        assert writer.path == path
    assert not path.exists() and writer.count == 0

    with RejectWriter(path) as writer:
        writer.write(Reject(4, "tweet_text", "NUL byte", 'a,"b\nc",d\0'))
        writer.write(Reject(9, "", "2 fields, expected 3", "x,y"))
    assert writer.count == 2
    with path.open(newline="") as fh:
        assert list(csv.reader(fh)) == [
            ["line", "field", "reason", "raw"],
            ["4", "tweet_text", "NUL byte", 'a,"b\nc",d\0'],
            ["9", "", "2 fields, expected 3", "x,y"],
        ]


def test_reject_writer_for_a_whole_source(tmp_path: Path) -> None:
    path = tmp_path / "out.rejects.csv"
    with open_source(FIXTURES / "stray_quote.csv") as source, RejectWriter(path) as writer:
        for item in source:
            if isinstance(item, Reject):
                writer.write(item)
    lines = list(csv.reader(io.StringIO(path.read_text())))
    assert [line[0] for line in lines] == ["line", "3", "7"]


def test_default_rejects_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "data" / "tweets.csv.gz"
    source.parent.mkdir()
    fallback = tmp_path / "out"
    assert default_rejects_path(source, fallback) == source.parent / "tweets.csv.gz.rejects.csv"
    # Running as root ignores permission bits, so stand in for a read-only folder.
    monkeypatch.setattr(rejects_module.os, "access", lambda path, mode: False)
    assert default_rejects_path(source, fallback) == fallback / "tweets.csv.gz.rejects.csv"
