"""Twitter information-operations archives: the tweets file and the users file.

Columns are found by header name (releases differ in order and extent); ids stay strings
because later releases hash them.
"""

from __future__ import annotations

from collections.abc import Callable

from tierscope.graphdb.records import AccountRecord, PostRecord, Row
from tierscope.graphdb.sources._csv import Builder, locate
from tierscope.graphdb.sources._values import count_field, empty_id, list_field, time_field

USER_COLUMNS = (
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
)
TWEET_COLUMNS = (
    "tweetid",
    *USER_COLUMNS,
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
)
TWEET_REQUIRED = ("tweetid", "userid", "tweet_time")
USER_REQUIRED = ("userid",)
_TRUE = frozenset(("true", "True", "TRUE", "1"))


def tweets_builder(names: list[str], label: str) -> Builder:
    c = locate(names, TWEET_COLUMNS, TWEET_REQUIRED, label)
    account = _account_builder(c)
    tweet, user, time, lang, text = (
        c["tweetid"],
        c["userid"],
        c["tweet_time"],
        c["tweet_language"],
        c["tweet_text"],
    )
    client, reply_user, reply_tweet, quoted = (
        c["tweet_client_name"],
        c["in_reply_to_userid"],
        c["in_reply_to_tweetid"],
        c["quoted_tweet_tweetid"],
    )
    is_retweet, retweet_user, retweet_tweet = (
        c["is_retweet"],
        c["retweet_userid"],
        c["retweet_tweetid"],
    )
    hashtags, urls, mentions = c["hashtags"], c["urls"], c["user_mentions"]
    # Without an is_retweet column, a filled retweet_tweetid is the only sign.
    has_flag = is_retweet < len(names)

    def build(line: int, f: list[str]) -> Row:
        f.append("")  # what absent optional columns read
        retweet = f[is_retweet] in _TRUE if has_flag else bool(f[retweet_tweet])
        # Positional: keyword arguments cost twice as much, and this runs for every row.
        post = PostRecord(
            f[tweet] or empty_id("tweetid"),
            f[user],
            time_field(f[time], "tweet_time"),
            f[lang] or None,
            f[text] or None,
            f[client] or None,
            (f[retweet_tweet] or None) if retweet else None,  # retweet_of
            (f[retweet_user] or None) if retweet else None,  # retweet_of_account
            f[reply_tweet] or None,  # reply_to
            f[reply_user] or None,  # reply_to_account
            f[quoted] or None,  # quotes
            list_field(f[hashtags], "hashtags"),
            list_field(f[urls], "urls"),
            list_field(f[mentions], "user_mentions"),
        )
        return Row(line, account(f), post)

    return build


def users_builder(names: list[str], label: str) -> Builder:
    account = _account_builder(locate(names, USER_COLUMNS, USER_REQUIRED, label))

    def build(line: int, f: list[str]) -> Row:
        f.append("")
        return Row(line, account(f))

    return build


def _account_builder(c: dict[str, int]) -> Callable[[list[str]], AccountRecord]:
    """The account of a record from the user columns, shared by both archive files."""
    user, display, screen, location = (
        c["userid"],
        c["user_display_name"],
        c["user_screen_name"],
        c["user_reported_location"],
    )
    followers, following, created, lang = (
        c["follower_count"],
        c["following_count"],
        c["account_creation_date"],
        c["account_language"],
    )

    def account(f: list[str]) -> AccountRecord:
        created_at = f[created]
        return AccountRecord(
            f[user] or empty_id("userid"),
            f[screen] or None,
            f[display] or None,
            time_field(created_at, "account_creation_date") if created_at else None,
            f[lang] or None,
            f[location] or None,
            count_field(f[followers], "follower_count"),
            count_field(f[following], "following_count"),
        )

    return account
