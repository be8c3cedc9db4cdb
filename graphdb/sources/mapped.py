"""Any other CSV of posts, read through a mapping from record fields to column names."""

from __future__ import annotations

from collections.abc import Callable

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.records import AccountRecord, PostRecord, Row
from tierscope.graphdb.sources._csv import Builder, locate
from tierscope.graphdb.sources._values import empty_id, multi_field, time_field

REQUIRED_FIELDS = ("post_id", "account_id", "created_at")
FIELDS = (
    *REQUIRED_FIELDS,
    "retweet_of",
    "retweet_of_account",
    "reply_to",
    "reply_to_account",
    "quotes",
    "text",
    "lang",
    "client",
    "hashtags",
    "urls",
    "mentions",
    "screen_name",
)


def check_mapping(mapping: dict[str, str]) -> None:
    """Fail before opening anything when the mapping itself is wrong."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(
            f"unknown mapping field {unknown[0]!r}; the fields are {', '.join(FIELDS)}"
        )
    for field in REQUIRED_FIELDS:
        if not mapping.get(field):
            raise InputError(f"the mapping must name the column for {field!r}")


def mapped_builder(mapping: dict[str, str]) -> Callable[[list[str], str], Builder]:
    def factory(names: list[str], label: str) -> Builder:
        columns = list(mapping.values())
        c = locate(names, columns, columns, label)
        # Unmapped fields read the empty string each record gets appended.
        i = {field: c[mapping[field]] if field in mapping else len(names) for field in FIELDS}
        col = {field: mapping.get(field, field) for field in FIELDS}  # names for rejects
        post, account, created = i["post_id"], i["account_id"], i["created_at"]
        retweet_of, retweet_of_account = i["retweet_of"], i["retweet_of_account"]
        reply_to, reply_to_account, quotes = i["reply_to"], i["reply_to_account"], i["quotes"]
        text, lang, client, screen_name = i["text"], i["lang"], i["client"], i["screen_name"]
        hashtags, urls, mentions = i["hashtags"], i["urls"], i["mentions"]

        def build(line: int, f: list[str]) -> Row:
            f.append("")
            account_id = f[account] or empty_id(col["account_id"])
            return Row(
                line,
                AccountRecord(account_id, screen_name=f[screen_name] or None),
                PostRecord(
                    id=f[post] or empty_id(col["post_id"]),
                    account_id=account_id,
                    created_at=time_field(f[created], col["created_at"]),
                    lang=f[lang] or None,
                    text=f[text] or None,
                    client=f[client] or None,
                    retweet_of=f[retweet_of] or None,
                    retweet_of_account=f[retweet_of_account] or None,
                    reply_to=f[reply_to] or None,
                    reply_to_account=f[reply_to_account] or None,
                    quotes=f[quotes] or None,
                    hashtags=multi_field(f[hashtags], col["hashtags"]),
                    urls=multi_field(f[urls], col["urls"]),
                    mentions=multi_field(f[mentions], col["mentions"]),
                ),
            )

        return build

    return factory
