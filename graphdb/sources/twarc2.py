"""twarc2 JSONL: raw Twitter API v2 pages, or tweets and users flattened by `twarc2 flatten`.

A page line (`{"data": [...], "includes": {...}}`) yields a Row per tweet (with its
author) or per user, then a Row per included user not yet given; a flattened line yields
the tweet with its embedded author, then the other users it embeds (the authors of the
tweets it references, mentioned users). All Rows of a line carry that line's number.

A value of the wrong JSON type (a number for a name, a string for a list, a list for an
object) rejects its tweet or user, naming the field; a malformed `includes` entry is
rejected on its own, and the rest of the page still loads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from typing import Any

import orjson

from tierscope.graphdb.records import AccountRecord, PostRecord, Reject, Row
from tierscope.graphdb.sources._values import (
    MAX_COUNT,
    BadValue,
    count_field,
    in_range,
    parse_time,
    time_problem,
)

# Keys a page may hold without data: an empty search result, errors, twarc's metadata.
_PAGE_ONLY_KEYS = frozenset(("meta", "errors", "includes", "__twarc"))


def jsonl_rows(lines: Iterator[bytes], lineno: int, member: str | None) -> Iterator[Row | Reject]:
    """Rows and rejects of the JSONL `lines`; `lineno` is the number of lines before them."""
    where = f"{member}: " if member else ""
    for line in lines:
        lineno += 1
        if line.isspace():
            continue
        try:
            text = line.decode()
        except UnicodeDecodeError:
            raw = line.decode("utf-8", "surrogateescape").rstrip("\r\n")
            yield Reject(lineno, "", where + "invalid UTF-8", raw)
            continue
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            # orjson refuses a few things json takes (NaN, huge integers, lone surrogates):
            # json decides, so that both accept and reject the same lines.
            try:
                obj = json.loads(text)
                json.dumps(obj, ensure_ascii=False).encode()
            except ValueError as exc:  # UnicodeEncodeError too: a lone surrogate, `"\ud800"`
                yield Reject(lineno, "", f"{where}not JSON ({exc})", text.rstrip("\r\n"))
                continue
        yield from _object_rows(obj, lineno, where, text)


def _object_rows(obj: Any, line: int, where: str, text: str) -> Iterator[Row | Reject]:
    if not isinstance(obj, dict):
        yield Reject(line, "", where + "not a JSON object", text.rstrip("\r\n"))
    elif "data" in obj:
        yield from _page_rows(obj, line, where)
    elif "text" in obj or "username" in obj:
        users = _embedded_users(obj) if "text" in obj else []
        yield from _item_rows([obj], users, {}, line, where)
    elif obj.get("includes"):  # a page without data may still include users
        yield from _page_rows(obj, line, where)
    elif not obj.keys() <= _PAGE_ONLY_KEYS:
        reason = "not a twarc2 page, tweet or user"
        yield Reject(line, "", where + reason, text.rstrip("\r\n"))


def _page_rows(page: dict[str, Any], line: int, where: str) -> Iterator[Row | Reject]:
    data = page.get("data", [])
    items = data if isinstance(data, list) else [data]
    includes = page.get("includes") or {}
    if not isinstance(includes, dict):
        yield Reject(line, "includes", where + "not a JSON object", _dump(includes))
        includes = {}
    users = yield from _included(includes, "users", line, where)
    tweets = {str(t["id"]): t for t in (yield from _included(includes, "tweets", line, where))}
    yield from _item_rows(items, users, tweets, line, where)


def _included(
    includes: dict[str, Any], key: str, line: int, where: str
) -> Generator[Reject, None, list[dict[str, Any]]]:
    """Rejects for the malformed entries of `includes[key]`; returns the good ones."""
    field = f"includes.{key}"
    entries = includes.get(key) or []
    if not isinstance(entries, list):
        yield Reject(line, field, where + "not a list", _dump(entries))
        return []
    good = []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id"):
            good.append(entry)
        else:
            yield Reject(line, field, where + "not an object with an id", _dump(entry))
    return good


def _item_rows(
    items: list[Any], users: list[Any], tweets: dict[str, Any], line: int, where: str
) -> Iterator[Row | Reject]:
    """A Row per tweet or user in `items`, then one per user of `users` not given yet."""
    authors = {str(u["id"]): u for u in users}
    # API v2 mentions carry only a username; the id is in the included users.
    ids_by_name = {str(u.get("username", "")).lower(): str(u["id"]) for u in users}

    def item_row(item: Any) -> Row:
        if isinstance(item, dict) and "text" in item:
            post = _post(item, tweets, ids_by_name)
            author = authors.get(post.account_id or "") or _object(item.get("author"), "author")
            account = _account(author) if author else AccountRecord(str(post.account_id))
            return Row(line, account, post)
        if isinstance(item, dict) and "username" in item:
            return Row(line, _account(item))
        raise BadValue("data", "neither a tweet nor a user")

    given: set[str] = set()
    for item in items:
        result = _guarded(item_row, item, line, where)
        if isinstance(result, Row) and result.account:
            given.add(result.account.id)
        yield result
    for user in users:
        if str(user["id"]) not in given:
            given.add(str(user["id"]))
            yield _guarded(lambda u: Row(line, _account(u)), user, line, where)


def _guarded(make: Callable[[Any], Row], item: Any, line: int, where: str) -> Row | Reject:
    """`make(item)`, or a Reject keeping the item's JSON when it is malformed."""
    try:
        return make(item)
    except BadValue as exc:
        return Reject(line, exc.field, where + exc.reason, _dump(item))
    except (TypeError, AttributeError, KeyError, ValueError) as exc:  # unexpected types
        return Reject(line, "", f"{where}unexpected JSON shape ({exc!r})", _dump(item))


def _post(tweet: dict[str, Any], tweets: dict[str, Any], ids_by_name: dict[str, str]) -> PostRecord:
    author = tweet.get("author_id") or _object(tweet.get("author"), "author").get("id")
    post = PostRecord(
        id=_id(tweet.get("id"), "id"),
        account_id=_id(author, "author_id"),
        created_at=_time(tweet.get("created_at"), "created_at"),
        lang=_str(tweet.get("lang"), "lang"),
        text=_str(tweet.get("text"), "text"),
        client=_str(tweet.get("source"), "source"),
    )
    for item in _list(tweet.get("referenced_tweets"), "referenced_tweets"):
        ref = _object(item, "referenced_tweets")
        kind, ref_id = ref.get("type"), _id(ref.get("id"), "referenced_tweets.id")
        if kind == "retweeted":
            post.retweet_of = ref_id
            post.retweet_of_account = _ref_author(ref, tweets)
        elif kind == "quoted":
            post.quotes = ref_id
        elif kind == "replied_to":
            post.reply_to = ref_id
            reply_user = tweet.get("in_reply_to_user_id")
            if reply_user:
                post.reply_to_account = _id(reply_user, "in_reply_to_user_id")
            else:
                post.reply_to_account = _ref_author(ref, tweets)
    entities = _object(tweet.get("entities"), "entities")
    post.hashtags = [
        tag
        for h in _list(entities.get("hashtags"), "entities.hashtags")
        if (tag := _str(_object(h, "entities.hashtags").get("tag"), "entities.hashtags.tag"))
    ]
    post.urls = []
    for u in _list(entities.get("urls"), "entities.urls"):
        u = _object(u, "entities.urls")
        url = _str(u.get("expanded_url"), "entities.urls.expanded_url")
        if url := url or _str(u.get("url"), "entities.urls.url"):
            post.urls.append(url)
    post.mentions = []
    for m in _list(entities.get("mentions"), "entities.mentions"):
        if mention := _mention_id(_object(m, "entities.mentions"), ids_by_name):
            post.mentions.append(mention)
    return post


def _ref_author(ref: dict[str, Any], tweets: dict[str, Any]) -> str | None:
    """Author of a referenced tweet: embedded (flattened) or from includes.tweets (page)."""
    author = ref.get("author_id") or (tweets.get(str(ref.get("id"))) or {}).get("author_id")
    return _id(author, "referenced_tweets.author_id") if author else None


def _mention_id(mention: dict[str, Any], ids_by_name: dict[str, str]) -> str | None:
    if mention.get("id"):
        return _id(mention["id"], "entities.mentions.id")
    username = _str(mention.get("username"), "entities.mentions.username")
    return ids_by_name.get(username.lower(), username) if username else None


def _account(user: dict[str, Any]) -> AccountRecord:
    metrics = _object(user.get("public_metrics"), "public_metrics")
    created = user.get("created_at")
    return AccountRecord(
        id=_id(user.get("id"), "id"),
        screen_name=_str(user.get("username"), "username"),
        display_name=_str(user.get("name"), "name"),
        created_at=_time(created, "created_at") if created else None,
        location=_str(user.get("location"), "location"),
        followers=_count(metrics.get("followers_count"), "public_metrics.followers_count"),
        following=_count(metrics.get("following_count"), "public_metrics.following_count"),
    )


def _embedded_users(tweet: dict[str, Any]) -> list[Any]:
    """Users a flattened tweet embeds besides its author, as a page would include them."""
    refs = tweet.get("referenced_tweets")
    candidates = (
        [r.get("author") for r in refs if isinstance(r, dict)] if isinstance(refs, list) else []
    )
    candidates.append(tweet.get("in_reply_to_user"))
    entities = tweet.get("entities")
    mentions = entities.get("mentions") if isinstance(entities, dict) else None
    if isinstance(mentions, list):
        candidates.extend(mentions)
    # A flattened mention is a whole user object; a bare one has only a username.
    return [u for u in candidates if isinstance(u, dict) and u.get("id") and "username" in u]


# Values of the wrong JSON type raise BadValue naming the field, so that the tweet or user
# is rejected with a reason rather than stored as something else.


def _id(value: Any, field: str) -> str:
    if (isinstance(value, str) and value) or (type(value) is int):
        return str(value)
    raise BadValue(field, "empty id" if value in (None, "") else f"not an id {value!r:.80}")


def _str(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise BadValue(field, f"not a string {value!r:.80}")


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None or isinstance(value, dict):
        return value or {}
    raise BadValue(field, f"not a JSON object {value!r:.80}")


def _list(value: Any, field: str) -> list[Any]:
    if value is None or isinstance(value, list):
        return value or []
    raise BadValue(field, f"not a list {value!r:.80}")


def _time(value: Any, field: str) -> int:
    if value is None:
        raise BadValue(field, "missing time")
    try:
        if isinstance(value, str):
            return parse_time(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return in_range(int(value), value)
        raise ValueError(value)
    except (ValueError, OverflowError) as exc:
        raise BadValue(field, time_problem(exc, value)) from None


def _count(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        return count_field(value, field)
    if type(value) in (int, float) and 0 <= value <= MAX_COUNT and value == int(value):
        return int(value)
    raise BadValue(field, f"not a count {value!r:.80}")


def _dump(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False)
