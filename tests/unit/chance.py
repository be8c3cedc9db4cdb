"""Pure-chance worlds: accounts that retweet popular posts independently, with nothing planted.

Activity and popularity are heavy-tailed (lognormal), posts appear over two months, retweets
follow their post after an exponential delay, accounts sign up at random over eight years and
post in a mix of languages with unique text. Whatever `detect` finds here is a false discovery.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, OBJECT_SCHEMA, POST_SCHEMA, DetectInputs

T0 = 1_600_000_000
DAY = 86_400
LANGS = np.array(["en", "es", "ja", "ar", "fr"])


def chance_world(seed: int, accounts: int = 300, originals: int = 600) -> DetectInputs:
    rng = np.random.default_rng(seed)
    names = np.array([f"u{i:04d}" for i in range(accounts)])
    author = rng.integers(0, accounts, originals)
    posted = T0 + rng.integers(0, 60 * DAY, originals)
    popularity = rng.lognormal(0.0, 1.2, originals)
    activity = np.maximum(1, rng.lognormal(1.5, 0.9, accounts).astype(int))
    retweeter = np.repeat(np.arange(accounts), activity)
    chosen = rng.choice(originals, size=retweeter.size, p=popularity / popularity.sum())
    keep = author[chosen] != retweeter
    retweeter, chosen = retweeter[keep], chosen[keep]
    delay = rng.exponential(2 * 3600, retweeter.size).astype(int) + 1
    original_ids = np.array([f"p{i}" for i in range(originals)])
    own = pl.DataFrame(
        {
            "account": names[author],
            "post": original_ids,
            "time": posted,
            "lang": LANGS[rng.integers(0, len(LANGS), originals)],
            "text": [f"thought number {i} of {seed}" for i in range(originals)],
        }
    )
    shared = pl.DataFrame(
        {
            "account": names[retweeter],
            "post": [f"r{i}" for i in range(retweeter.size)],
            "time": posted[chosen] + delay,
            "lang": LANGS[rng.integers(0, len(LANGS), retweeter.size)],
            "original": original_ids[chosen],
            "original_account": names[author[chosen]],
            "original_time": posted[chosen],
        }
    )
    posts = pl.concat([own, shared], how="diagonal").select(
        [
            pl.col(n).cast(t) if n in ("time", "original_time") else pl.col(n)
            for n, t in POST_SCHEMA.items()
        ]  # fmt: skip
    )
    profiles = pl.DataFrame(
        {
            "account": names,
            "created_at": T0 - rng.integers(30 * DAY, 8 * 365 * DAY, accounts),
            "lang": LANGS[rng.integers(0, len(LANGS), accounts)],
            "followers": rng.integers(0, 5_000, accounts),
            "screen_name": names,
        },
        schema=ACCOUNT_SCHEMA,
    )
    return DetectInputs(
        posts=posts.select([pl.col(n).cast(t) for n, t in POST_SCHEMA.items()]),
        accounts=profiles,
        hashtags=pl.DataFrame(schema=OBJECT_SCHEMA),
        urls=pl.DataFrame(schema=OBJECT_SCHEMA),
    )
