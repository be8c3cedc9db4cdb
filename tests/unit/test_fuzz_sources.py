"""Property-based fuzzing of every source (issue 9): the 31-column archive, the users file,
the shares CSV, a mapped CSV and twarc2 JSONL, fed hostile and broken bytes.

Whatever the input, reading ends without a crash (a file that cannot be read at all raises
InputError naming it), the polars path and the line reader agree (`same`), and every record
is accounted for: rows loaded + rows rejected = records read, each reject keeping its raw
text, so nothing is lost silently. The profiles in conftest.py set how many examples, and fix CI's.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_fast_sources import same

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources import _fast, archive, shares
from tierscope.graphdb.sources._csv import MAX_FIELD_CHARS
from tierscope.graphdb.sources.rejects import RejectWriter

MAPPING = {"post_id": "pid", "account_id": "aid", "created_at": "ts", "hashtags": "tags"}
# format name -> (header, open_source keywords)
FORMATS: dict[str, tuple[tuple[str, ...], dict]] = {
    "archive-tweets": (archive.TWEET_COLUMNS, {}),
    "archive-users": (archive.USER_COLUMNS, {"format": "archive-users"}),
    "shares": (shares.COLUMNS, {}),
    "csv": (("pid", "aid", "ts", "tags", "body", "extra"), {"mapping": MAPPING}),
}

# --- values: the shapes each column should have, and everything it should not -----------

_IDS = st.integers(0, 10**20).map(str) | st.text("abc0123456789_", min_size=1, max_size=8)
_TIMES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(sep=" ")[: 16 + 3 * (d.second > 0)]),
    st.dates().map(str),
    st.integers(-(10**13), 10**13).map(str),
    st.floats().map(str),
    st.sampled_from(["2017-01-01T10:15:00Z", "2017-02-30 00:00", "1623881091.5", "0000-01-01"]),
)
_COUNTS = st.integers(-5, 10**20).map(str) | st.floats().map(str) | st.sampled_from(["١٢", "12.0"])
_LISTS = st.one_of(
    st.lists(st.text(max_size=6), max_size=3).map(repr),
    st.lists(st.integers(0, 10**12), max_size=3).map(str),
    st.sampled_from(["[]", "['a'", "[['a']]", "x", "['it\\'s']"]),
)
_HOSTILE = st.one_of(
    st.text(max_size=20),
    st.sampled_from(['"', '""', ",", "\n", "\r\n", "\r", " ", '"open', "\x00", "\ufeff", "é"]),
    st.integers().map(str),
    st.floats().map(str),
    st.just("x" * (MAX_FIELD_CHARS + 1)),  # a field over the limit: rejected, named
)


def _good(column: str) -> st.SearchStrategy[str]:
    if column in {"tweet_time", "account_creation_date", "timestamp_share", "ts"}:
        return _TIMES
    if column.endswith("_count"):
        return _COUNTS
    if column in {"hashtags", "urls", "user_mentions", "tags"}:
        return _LISTS
    if column == "is_retweet":
        return st.sampled_from(["true", "false", "True", ""])
    if column.endswith("id") or column in {"object_id", "aid", "pid"}:
        return _IDS
    return st.text(max_size=12)


def _quote(value: str, always: bool) -> str:
    if always or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_files(draw: st.DrawFn, format: str) -> tuple[bytes, list[int]]:
    """A CSV of `format` with hostile values, a BOM, CRLF, latin-1 records, blank lines and
    the header repeated, and the line each record starts on (a repeated header included)."""
    header = ",".join(FORMATS[format][0])
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = [b"\xef\xbb\xbf" if draw(st.booleans()) else b"", (header + newline).encode()]
    line, starts = 2, []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["record"] * 6 + ["blank", "header", "latin-1"]))
        if kind == "blank":
            text = draw(st.sampled_from(["", "  ", "\t"]))
        elif kind == "header":
            text = draw(st.sampled_from(["", "\ufeff"])) + header
        else:
            fields = [
                draw(_HOSTILE if draw(st.integers(0, 4)) == 0 else _good(column))
                for column in FORMATS[format][0]
            ]
            text = ",".join(_quote(f, draw(st.booleans())) for f in fields)
        if kind != "blank":
            starts.append(line)
        encoding = "latin-1" if kind == "latin-1" else "utf-8"
        out.append((text + newline).encode(encoding, "replace"))
        line += text.count("\n") + 1
    return b"".join(out), starts


def _write(folder: str, data: bytes, name: str) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path


def _read_both(path: Path, kw: dict, block: int) -> tuple[list[Row], list[Reject]] | None:
    """`same` with polars reading in blocks of `block` bytes; None if the file is refused."""
    try:
        with mock.patch.object(_fast, "BLOCK_BYTES", block):
            rows, rejects = same(path, **kw)
    except InputError as exc:
        assert str(exc).startswith(str(path)), exc  # names the file
        return None
    assert all(isinstance(r, Reject) and r.reason for r in rejects)
    return rows, rejects


def _rejects_keep_raw(path: Path, rejects: list[Reject]) -> None:
    """The rejects file gives every reject back, raw bytes and all."""
    out = path.with_name(path.name + ".rejects.csv")
    with RejectWriter(out) as writer:
        for reject in rejects:
            writer.write(reject)
    if not rejects:
        assert not out.exists()
        return
    limit = csv.field_size_limit(1 << 30)  # a raw record may be over csv's field limit
    try:
        with open(out, encoding="utf-8", errors="surrogateescape", newline="") as f:
            back = list(csv.reader(f))[1:]
    finally:
        csv.field_size_limit(limit)
    assert back == [[str(r.line), r.field, r.reason, r.raw] for r in rejects]


_BLOCKS = st.sampled_from([64, 500, _fast.BLOCK_BYTES])


# --- the CSV sources ----------------------------------------------------------------------


@pytest.mark.parametrize("format", list(FORMATS))
@given(data=st.data(), block=_BLOCKS)
def test_csv_every_record_is_a_row_or_a_reject(format: str, data: st.DataObject, block: int):
    """Well-formed records with hostile values: one Row or one Reject per record, on its line."""
    content, starts = data.draw(csv_files(format))
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, content, "in.csv")
        got = _read_both(path, FORMATS[format][1], block)
        assert got is not None
        rows, rejects = got
        assert sorted(r.line for r in [*rows, *rejects]) == starts
        _rejects_keep_raw(path, rejects)


@st.composite
def damaged(draw: st.DrawFn, format: str) -> bytes:
    """A CSV of `format` with bytes inserted, deleted or cut off after its header."""
    content, _ = draw(csv_files(format))
    header_end = content.index(b"\n") + 1
    body = bytearray(content[header_end:])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["insert", "delete", "truncate", "quote", "utf-16"]))
        if kind == "insert":
            body[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 20))]
        elif kind == "truncate":
            del body[at:]
        elif kind == "quote":
            body[at:at] = b'"'
        else:
            body[at:at] = draw(st.text(max_size=6)).encode("utf-16")
    return content[:header_end] + bytes(body)


def _pieces(data: bytes) -> list[bytes]:
    """Physical lines as the sources count them: split at LF only, LF kept."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _lines_accounted(data: bytes, items: list[Row | Reject], ncols: int) -> None:
    """Each non-blank line after the one-line header is a record's start or inside it:
    a reject's lines are its raw text; a row's lines are one record of `ncols` fields."""
    lines = _pieces(data)
    items = sorted(items, key=lambda i: i.line)
    starts = [i.line for i in items]
    assert len(set(starts)) == len(starts)
    ends = [*starts[1:], len(lines) + 1][: len(items)]
    first = starts[0] if starts else len(lines) + 1
    assert all(line.isspace() for line in lines[1 : first - 1])
    for item, end in zip(items, ends, strict=True):
        span = lines[item.line - 1 : end - 1]
        while len(span) > 1 and span[-1].isspace():
            span.pop()
        text = b"".join(span).decode("utf-8", "surrogateescape").rstrip("\r\n")
        if isinstance(item, Reject):
            assert item.raw == text, item
        elif len(span) > 1:
            assert len(next(csv.reader([text], strict=True))) == ncols


@pytest.mark.parametrize("format", list(FORMATS))
@given(data=st.data(), block=_BLOCKS)
def test_damaged_csv_loses_nothing(format: str, data: st.DataObject, block: int):
    """Random bytes, stray quotes, UTF-16 and cuts in the body: every line is accounted for."""
    header = FORMATS[format][0]
    content = data.draw(damaged(format))
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, content, "in.csv")
        got = _read_both(path, FORMATS[format][1], block)
        assert got is not None  # the header is whole
        _lines_accounted(content, [*got[0], *got[1]], len(header))
        _rejects_keep_raw(path, got[1])


@pytest.mark.parametrize("format", [None, *FORMATS, "twarc2"])
@given(
    content=st.binary(max_size=400)
    | st.builds(
        lambda h, b: h + b, st.sampled_from([b"tweetid,userid,tweet_time\n", b"{"]), st.binary()
    )
)
@example(content=b"[" * 200_000)  # a header over csv's field limit: InputError
def test_random_bytes_never_crash(format: str | None, content: bytes):
    kw = FORMATS[format][1] if format in FORMATS else {"format": format}
    with tempfile.TemporaryDirectory() as folder:
        _read_both(_write(folder, content, "in"), kw, 64)


@pytest.mark.parametrize("format", list(FORMATS))
def test_the_header_again_is_rejected(format: str, tmp_path: Path) -> None:
    """Regression: a users file without account_creation_date loaded it as an account."""
    names = ",".join(FORMATS[format][0])
    if format == "archive-users":
        names = "userid,user_screen_name"
    path = tmp_path / "joined.csv"
    path.write_text(f"{names}\n{names}\n\ufeff{names}\n")
    rows, rejects = same(path, **FORMATS[format][1])
    assert rows == []
    assert [(r.line, r.field, r.reason) for r in rejects] == [
        (n, "", "the header line again (files joined with their headers?)") for n in (2, 3)
    ]


@pytest.mark.parametrize("format", list(FORMATS))
def test_a_10_mb_field_is_rejected_naming_it(format: str, tmp_path: Path) -> None:
    """Regression: quoted, it was `broken quoting` with no field; unquoted, it loaded."""
    header = FORMATS[format][0]
    big = "x" * (10 << 20)
    good = {"archive-tweets": 0, "archive-users": 0, "shares": 1, "csv": 4}[format]
    for quoted in (False, True):
        fields = [""] * len(header)
        fields[good] = f'"{big}"' if quoted else big
        path = tmp_path / f"big{quoted}.csv"
        path.write_text(",".join(header) + "\n" + ",".join(fields) + "\n")
        rows, rejects = same(path, **FORMATS[format][1])
        assert rows == []
        [(line, field, reason)] = [(r.line, r.field, r.reason) for r in rejects]
        assert (line, field) == (2, header[good])
        assert reason == f"a field of {len(big)} characters, over {MAX_FIELD_CHARS}"


@pytest.mark.parametrize(
    ("value", "field", "reason"),
    [
        ("99999999999999999999", "follower_count", "not a count '99999999999999999999'"),
        ("1e300", "tweet_time", "time out of range (years 1 to 9999) '1e300'"),
        ("-99999999999999", "tweet_time", "time out of range (years 1 to 9999) '-99999999999999'"),
    ],
)
def test_numbers_out_of_range_are_rejected(value: str, field: str, reason: str, tmp_path: Path):
    """Regression: they crashed the polars path and would have crashed Neo4j's datetime."""
    fields = {"tweetid": "1", "userid": "u", "tweet_time": "2017-01-01", field: value}
    path = tmp_path / "t.csv"
    path.write_text(",".join(fields) + "\n" + ",".join(fields.values()) + "\n")
    rows, rejects = same(path)
    assert rows == [] and [(r.field, r.reason) for r in rejects] == [(field, reason)]


def test_a_lone_cr_survives_the_rejects_file(tmp_path: Path) -> None:
    """Regression: csv does not quote a lone CR, so the rejects file split such a row."""
    _rejects_keep_raw(tmp_path / "in.csv", [Reject(3, "", "1 fields, expected 4", "  \r\x00")])


def test_a_bom_starting_a_line_is_read_the_same_both_ways(tmp_path: Path) -> None:
    """Regression: polars dropped a BOM that began a run of lines, making the id empty."""
    path = tmp_path / "t.csv"
    path.write_text("object_id,account_id,content_id,timestamp_share\n\n\ufeff,0,0,0\n")
    with mock.patch.object(_fast, "BLOCK_BYTES", 64):
        [row], _ = same(path)
    assert row.post and row.post.retweet_of == "\ufeff"


def test_non_ascii_digits_read_the_same_both_ways(tmp_path: Path) -> None:
    """Regression: polars' `\\d` took Arabic-Indic digits, then could not cast them."""
    path = tmp_path / "t.csv"
    path.write_text("tweetid,userid,tweet_time,follower_count\n1,u,١٢,١٢\n")
    [row], _ = same(path)
    assert row.post and row.account and (row.post.created_at, row.account.followers) == (12, 12)


# --- twarc2 -------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _or_wrong(good: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(good, good, good, _JSON)


_ISO = st.datetimes().map(lambda d: d.isoformat() + ".000Z")
_USER = st.fixed_dictionaries(
    {"id": _or_wrong(_IDS), "username": _or_wrong(st.text(max_size=6))},
    optional={
        "name": _or_wrong(st.text(max_size=6)),
        "location": _or_wrong(st.text(max_size=6)),
        "created_at": _or_wrong(_ISO),
        "public_metrics": _or_wrong(
            st.fixed_dictionaries(
                {"followers_count": _or_wrong(st.integers(0, 10**6))},
                optional={"following_count": _or_wrong(st.integers(-1, 2**64))},
            )
        ),
    },
)
_REF = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["retweeted", "quoted", "replied_to", "other"]),
        "id": _or_wrong(_IDS),
    },
    optional={"author_id": _or_wrong(_IDS), "author": _USER},
)
_ENTITIES = st.fixed_dictionaries(
    {},
    optional={
        "hashtags": _or_wrong(st.lists(_or_wrong(st.builds(dict, tag=_or_wrong(_IDS))))),
        "urls": _or_wrong(st.lists(_or_wrong(st.builds(dict, url=_or_wrong(_IDS))))),
        "mentions": _or_wrong(st.lists(_or_wrong(_USER))),
    },
)
_TWEET = st.fixed_dictionaries(
    {
        "id": _or_wrong(_IDS),
        "text": _or_wrong(st.text(max_size=10) | st.sampled_from(["\ud800", "\x00"])),
        "created_at": _or_wrong(_ISO | st.integers(-(2**40), 2**70)),
    },
    optional={
        "author_id": _or_wrong(_IDS),
        "author": _or_wrong(_USER),
        "lang": _or_wrong(st.text(max_size=3)),
        "source": _or_wrong(st.text(max_size=3)),
        "referenced_tweets": _or_wrong(st.lists(_or_wrong(_REF), max_size=2)),
        "in_reply_to_user_id": _or_wrong(_IDS),
        "entities": _or_wrong(_ENTITIES),
    },
)
_PAGE = st.fixed_dictionaries(
    {},
    optional={
        "data": _or_wrong(st.lists(_TWEET | _USER, max_size=3) | _TWEET),
        "includes": _or_wrong(
            st.fixed_dictionaries(
                {},
                optional={
                    "users": _or_wrong(st.lists(_or_wrong(_USER), max_size=3)),
                    "tweets": _or_wrong(st.lists(_or_wrong(_TWEET), max_size=2)),
                },
            )
        ),
        "meta": st.just({"result_count": 1}),
    },
)


def _dumps(obj: object, ascii: bool) -> bytes:
    text = json.dumps(obj, ensure_ascii=ascii)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: bytes that are not UTF-8


_LINES = st.one_of(
    st.builds(_dumps, _TWEET | _USER | _PAGE | _JSON, st.booleans()),
    st.builds(lambda b, n: b[:n], st.builds(_dumps, _TWEET, st.booleans()), st.integers(1, 40)),
    st.binary(max_size=20),
    st.sampled_from([b"", b"  ", b"tweetid,userid", b"\xef\xbb\xbf{}", b"[1]", b'{"data": []}']),
)


def _least_items(line: bytes) -> int:
    """How many rows and rejects a line must give at the least: one per tweet or user."""
    try:
        obj = json.loads(line)
        json.dumps(obj, ensure_ascii=False).encode()
    except ValueError:
        return 1
    if not isinstance(obj, dict):
        return 1
    if "data" in obj or ("text" not in obj and "username" not in obj and obj.get("includes")):
        data = obj.get("data", [])
        includes = obj.get("includes") or {}
        users = includes.get("users") if isinstance(includes, dict) else None
        ids = {json.dumps(u) for u in users} if isinstance(users, list) else set()
        return max(len(data) if isinstance(data, list) else 1, len(ids))
    if "text" in obj or "username" in obj:
        return 1
    return int(not obj.keys() <= {"meta", "errors", "includes", "__twarc"})


@given(
    lines=st.lists(_LINES, min_size=1, max_size=6),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    bom=st.booleans(),
)
@example(lines=[b'{"data": [], "includes": {"users": [{"id": "1"}]}}'], newline=b"\n", bom=False)
def test_twarc2_every_tweet_and_user_is_a_row_or_a_reject(
    lines: list[bytes], newline: bytes, bom: bool
):
    """Pages and lines with wrong JSON types, numbers for strings, cut lines, random bytes."""
    first = _dumps({"id": "1", "text": "t", "author_id": "2", "created_at": "1"}, True)
    content = (b"\xef\xbb\xbf" if bom else b"") + newline.join([first, *lines]) + newline
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, content, "in.jsonl")
        got = _read_both(path, {}, 64)
        assert got is not None
        items = [*got[0], *got[1]]
        by_line: Callable[[int], int] = lambda n: sum(i.line == n for i in items)  # noqa: E731
        physical = content.removeprefix(b"\xef\xbb\xbf").split(b"\n")
        for n, line in enumerate(physical, 1):
            if line.isspace() or not line:
                assert by_line(n) == 0
            else:
                assert by_line(n) >= _least_items(line), (n, line)
        assert all(i.line <= len(physical) for i in items)
        _rejects_keep_raw(path, got[1])


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ('{"id": "1", "text": 5, "created_at": "1", "author_id": "2"}', "text", "not a string 5"),
        ('{"id": 1.5, "text": "", "created_at": "1", "author_id": "2"}', "id", "not an id 1.5"),
        ('{"id": "1", "text": "", "created_at": true, "author_id": "2"}', "created_at", None),
        ('{"id": "1", "username": "u", "public_metrics": {"followers_count": -5}}', None, None),
        (
            '{"id": "1", "text": "", "created_at": "1", "author_id": "2", "entities": []}',
            None,
            None,
        ),
        ('{"id": "1", "text": "", "created_at": "1", "author_id": "2", "x": "\\ud800"}', "", None),
        ('{"data": [], "includes": {"users": "u"}}', "includes.users", "not a list"),
        ('{"data": {"id": "1", "text": "", "created_at": 1e30, "author_id": "2"}}', None, None),
    ],
)
def test_wrong_json_types_are_rejected_naming_the_field(
    line: str, field: str | None, reason: str | None, tmp_path: Path
) -> None:
    """Regression: these crashed the load (AttributeError, or polars refusing the value) or
    were loaded as something else (a negative count, `true` as a time)."""
    path = tmp_path / "t.jsonl"
    path.write_text(line + "\n")
    rows, rejects = same(path)
    assert rows == [] and len(rejects) == 1
    if field is not None:
        assert rejects[0].field == field
    if reason is not None:
        assert rejects[0].reason == reason
    assert rejects[0].field or rejects[0].reason.startswith("not JSON")
