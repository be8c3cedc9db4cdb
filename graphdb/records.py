"""The normalised rows every source yields and the loader writes.

A source turns one input line (or JSON object) into a `Row`, or into a `Reject` that
names the line, the field and the reason. Times are Unix seconds (int, UTC) so that the
loader can hand them to Cypher's `datetime({epochSeconds: ...})` without building
Python datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class AccountRecord:
    id: str
    screen_name: str | None = None
    display_name: str | None = None
    created_at: int | None = None  # Unix seconds, UTC
    lang: str | None = None
    location: str | None = None
    followers: int | None = None
    following: int | None = None


@dataclass(slots=True)
class PostRecord:
    id: str
    account_id: str | None = None  # author; None when the source does not say
    created_at: int | None = None  # Unix seconds, UTC
    lang: str | None = None
    text: str | None = None
    client: str | None = None
    retweet_of: str | None = None  # original post id
    retweet_of_account: str | None = None  # original author, where known
    reply_to: str | None = None
    reply_to_account: str | None = None
    quotes: str | None = None
    hashtags: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # account ids


@dataclass(slots=True)
class Row:
    """One good input record: an account, a post by it, or both."""

    line: int
    account: AccountRecord | None = None
    post: PostRecord | None = None


@dataclass(slots=True)
class Reject:
    """One bad input record, kept verbatim so nothing is lost."""

    line: int
    field: str
    reason: str
    raw: str
