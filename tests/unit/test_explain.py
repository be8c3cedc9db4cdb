"""Pairing two accounts' shares as detection pairs them, on small literal shares."""

from __future__ import annotations

from tierscope.graphdb.explain import (
    CSV_COLUMNS,
    EdgeTest,
    Explanation,
    KindCount,
    Membership,
    PairAccount,
    Share,
    csv_rows,
    pair_shares,
)

T0 = 1_583_056_800  # 2020-03-01 10:00 UTC


def rt(account: str, post: str, original: str, at: int, author: str = "amb") -> Share:
    return Share(account, "co-retweet", original, post, T0 + at, original, author, author, "Hi")


SHARES = [
    # Both retweet O1 30 s apart (a meeting), O2 an hour apart (common object, no meeting).
    rt("a", "a1", "O1", 0),
    rt("b", "b1", "O1", 30),
    rt("a", "a2", "O2", 0),
    rt("b", "b2", "O2", 3_600),
    # b retweets O3 twice, a once: two pairs of one object.
    rt("a", "a3", "O3", 100),
    rt("b", "b3", "O3", 90),
    rt("b", "b4", "O3", 200),
    # Only a retweets O4; someone else's share of O1 is not theirs.
    rt("a", "a4", "O4", 0),
    rt("c", "c1", "O1", 1),
    # Texts that detection normalises to one ("rt @x:", case, punctuation, links).
    Share("a", "co-text", "Vote NOW! https://t.co/x", "a5", T0 + 500),
    Share("b", "co-text", "RT @someone: vote now", "b5", T0 + 520),
    # Hashtags pair on the tag; a post never pairs with itself.
    Share("a", "co-hashtag", "Vote", "a6", T0 + 700),
    Share("b", "co-hashtag", "vote", "b6", T0 + 2_000),
]


def test_pairs_every_share_of_a_common_object_meetings_first():
    pairs, counts = pair_shares(SHARES, "a", "b", window=60)
    retweets = [p for p in pairs if p.kind == "co-retweet"]
    assert [(p.object, p.post_a, p.post_b, p.delta_s, p.meeting) for p in retweets] == [
        ("O1", "a1", "b1", 30, True),
        ("O3", "a3", "b3", -10, True),
        ("O2", "a2", "b2", 3_600, False),
        ("O3", "a3", "b4", 100, False),
    ]
    assert retweets[0].original_author_id == "amb" and retweets[0].original_text == "Hi"
    assert retweets[0].time_a == "2020-03-01T10:00:00Z"
    assert retweets[0].time_b == "2020-03-01T10:00:30Z"
    assert counts == [
        KindCount("co-hashtag", meetings=0, common=1, pairs=1),
        KindCount("co-retweet", meetings=2, common=3, pairs=4),
        KindCount("co-text", meetings=1, common=1, pairs=1),
    ]
    (text,) = [p for p in pairs if p.kind == "co-text"]
    assert text.object == "vote now" and text.meeting
    (tag,) = [p for p in pairs if p.kind == "co-hashtag"]
    assert tag.object == "#vote" and tag.delta_s == 1_300


def test_the_window_is_inclusive_and_the_order_of_accounts_signs_the_delta():
    pairs, _ = pair_shares(SHARES, "b", "a", window=10)
    o3 = [p for p in pairs if p.object == "O3" and p.post_a == "b3"]
    assert o3[0].delta_s == 10 and o3[0].meeting
    nothing, counts = pair_shares(SHARES, "a", "nobody", window=60)
    assert nothing == [] and counts == []


def _explanation(edges: list[EdgeTest], shared: bool, source: str = "edge table") -> Explanation:
    pairs, counts = pair_shares(SHARES if shared else [], "a", "b", 60)
    return Explanation(
        run="r1",
        kinds=["co-retweet"],
        window=60,
        fdr=0.01,
        a=PairAccount("a", "alpha", [Membership(1, 1, "core", True)]),
        b=PairAccount("b", None, []),
        edges=edges,
        edge_source=source,
        counts=counts,
        pairs=pairs,
        pairs_total=len(pairs),
    )


def edge(q: float) -> EdgeTest:
    return EdgeTest("co-retweet", 2, 20.0, 0.1, 3, 0.5, q / 10, q, q <= 0.01)


def test_verdicts_say_tied_tested_or_no_edge():
    tied = _explanation([edge(0.001)], shared=True)
    assert tied.tied
    assert tied.verdict() == "@alpha and b are tied in run r1: co-retweet q = 0.001 ≤ 0.01."
    loose = _explanation([edge(0.2)], shared=True)
    assert not loose.tied
    assert "tested in run r1 but are not tied: best co-retweet q = 0.2 > 0.01" in loose.verdict()
    assert "still shared 5 object(s)" in loose.verdict()
    none = _explanation([], shared=False)
    assert none.verdict() == (
        "There is no edge between @alpha and b in the run's edge table in run r1. "
        "They shared nothing the run's kinds pair on."
    )
    stored_only = _explanation([], shared=True, source="neo4j")
    assert "stored in Neo4j" in stored_only.verdict() and "still shared" in stored_only.verdict()
    assert tied.a.where() == "core of community 1 (operation 1, flagged)"
    assert tied.b.where() == "in no community of this run"


def test_csv_rows_carry_the_kind_edge_and_places():
    rows = csv_rows(_explanation([edge(0.001)], shared=True))
    first = dict(zip(CSV_COLUMNS, rows[0], strict=True))
    assert first["kind"] == "co-hashtag" and first["weight"] is None
    retweet = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert retweet["object"] == "O1" and retweet["meeting"] == "true"
    assert (retweet["weight"], retweet["q_value"]) == (2, 0.001)
    assert (retweet["tier_a"], retweet["community_a"], retweet["tier_b"]) == ("core", "1", "")
