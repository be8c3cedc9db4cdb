"""Shares in CooRTweet's form: who (account_id) shared what (object_id) as which post
(content_id) when (timestamp_share, Unix seconds, maybe written as a float)."""

from __future__ import annotations

from tierscope.graphdb.records import AccountRecord, PostRecord, Row
from tierscope.graphdb.sources._csv import Builder, locate
from tierscope.graphdb.sources._values import empty_id, time_field

COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share")


def shares_builder(names: list[str], label: str) -> Builder:
    c = locate(names, COLUMNS, COLUMNS, label)
    original, account, share, time = (c[name] for name in COLUMNS)

    def build(line: int, f: list[str]) -> Row:
        account_id = f[account] or empty_id("account_id")
        return Row(
            line,
            AccountRecord(account_id),
            PostRecord(
                id=f[share] or empty_id("content_id"),
                account_id=account_id,
                created_at=time_field(f[time], "timestamp_share"),
                retweet_of=f[original] or empty_id("object_id"),
            ),
        )

    return build
