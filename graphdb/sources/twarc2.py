"""twarc2 JSONL: raw Twitter API v2 pages, or tweets and users flattened by `twarc2 flatten`.

A page line (`{"data": [...], "includes": {...}}`) yields a Row per tweet (with its
author) or per user, then a Row per included user not yet given; a flattened line yields
the tweet with its embedded author, then the other users it embeds (the authors of the
tweets it references, mentioned users). All Rows of a line carry that line's number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tierscope.graphdb.records import AccountRecord, PostRecord, Reject, Row
from tierscope.graphdb.sources._values import BadValue, parse_time

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
            except ValueError as exc:
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
    elif not obj.keys() <= _PAGE_ONLY_KEYS:
        reason = "not a twarc2 page, tweet or user"
        yield Reject(line, "", where + reason, text.rstrip("\r\n"))


def _page_rows(page: dict[str, Any], line: int, where: str) -> Iterator[Row | Reject]:
    data = page["data"]
    items = data if isinstance(data, list) else [data]
    includes = page.get("includes") or {}
    users = [u for u in includes.get("users") or () if isinstance(u, dict) and u.get("id")]
    tweets = {
        str(t["id"]): t for t in includes.get("tweets") or () if isinstance(t, dict) and "id" in t
    }
    yield from _item_rows(items, users, tweets, line, where)


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
            author = authors.get(post.account_id or "") or item.get("author")
            account = _account(author) if author else AccountRecord(str(post.account_id))
            return Row(line, account, post)
        if isinstance(item, dict) and "username" in item:
            return Row(line, _account(item))
        raise BadValue("", "neither a tweet nor a user")

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
    author = tweet.get("author_id") or (tweet.get("author") or {}).get("id")
    post = PostRecord(
        id=_id(tweet.get("id"), "id"),
        account_id=_id(author, "author_id"),
        created_at=_time(tweet.get("created_at"), "created_at"),
        lang=tweet.get("lang") or None,
        text=tweet.get("text") or None,
        client=tweet.get("source") or None,
    )
    for ref in tweet.get("referenced_tweets") or ():
        kind, ref_id = ref.get("type"), _id(ref.get("id"), "referenced_tweets.id")
        if kind == "retweeted":
            post.retweet_of = ref_id
            post.retweet_of_account = _ref_author(ref, tweets)
        elif kind == "quoted":
            post.quotes = ref_id
        elif kind == "replied_to":
            post.reply_to = ref_id
            reply_user = tweet.get("in_reply_to_user_id") or _ref_author(ref, tweets)
            post.reply_to_account = str(reply_user) if reply_user else None
    entities = tweet.get("entities") or {}
    post.hashtags = [str(h["tag"]) for h in entities.get("hashtags") or () if h.get("tag")]
    post.urls = [
        str(url)
        for u in entities.get("urls") or ()
        if (url := u.get("expanded_url") or u.get("url"))
    ]
    post.mentions = [
        _mention_id(m, ids_by_name)
        for m in entities.get("mentions") or ()
        if m.get("id") or m.get("username")
    ]
    return post


def _ref_author(ref: dict[str, Any], tweets: dict[str, Any]) -> str | None:
    """Author of a referenced tweet: embedded (flattened) or from includes.tweets (page)."""
    author = ref.get("author_id") or (tweets.get(str(ref.get("id"))) or {}).get("author_id")
    return str(author) if author else None


def _mention_id(mention: dict[str, Any], ids_by_name: dict[str, str]) -> str:
    if mention.get("id"):
        return str(mention["id"])
    username = str(mention["username"])
    return ids_by_name.get(username.lower(), username)


def _account(user: dict[str, Any]) -> AccountRecord:
    metrics = user.get("public_metrics") or {}
    created = user.get("created_at")
    return AccountRecord(
        id=_id(user.get("id"), "id"),
        screen_name=user.get("username") or None,
        display_name=user.get("name") or None,
        created_at=_time(created, "created_at") if created else None,
        location=user.get("location") or None,
        followers=_count(metrics.get("followers_count")),
        following=_count(metrics.get("following_count")),
    )


def _embedded_users(tweet: dict[str, Any]) -> list[Any]:
    """Users a flattened tweet embeds besides its author, as a page would include them."""
    candidates = [ref.get("author") for ref in tweet.get("referenced_tweets") or ()]
    candidates.append(tweet.get("in_reply_to_user"))
    candidates.extend((tweet.get("entities") or {}).get("mentions") or ())
    # A flattened mention is a whole user object; a bare one has only a username.
    return [u for u in candidates if isinstance(u, dict) and u.get("id") and "username" in u]


def _id(value: Any, field: str) -> str:
    if value is None or value == "" or isinstance(value, dict | list | bool):
        raise BadValue(field, "empty id" if not value else f"not an id {value!r}")
    return str(value)


def _time(value: Any, field: str) -> int:
    if value is None:
        raise BadValue(field, "missing time")
    try:
        return parse_time(value) if isinstance(value, str) else int(value)
    except (ValueError, TypeError, OverflowError):
        raise BadValue(field, f"unparseable time {value!r}") from None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dump(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False)
