"""What a takedown removes (`tierscope impact`): if these accounts are gone, how much
amplification does each principal lose? docs/impact.md gives the definitions; in short:

- **before**: the retweets a principal's posts received (self-retweets and undated retweets
  left out, as in the report's principal amplification);
- **direct loss**: those made by removed accounts; **after** = before − direct;
- **relayed loss**: the retweets of the removed *core* accounts' own original posts made by
  the run's amplifiers. Those posts go with the core, and the amplification laundered through
  them goes too. Per principal it is shared out in proportion to each removed core account's
  retweets of the principals assessed (a core account that retweets no principal leaves its
  share unattributed); retweets of the core's posts by other accounts are counted apart.

``assess`` is the arithmetic over plain rows; ``assess_run`` reads them from a stored run, and
``save`` keeps the result as an ``(:Impact)`` node so a report can be reproduced.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.run import resolve_run
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.store import Store

TIER_CHOICES = ("core", "amplifier", "all")
SCOPES = ("run", "operation", "community", "accounts")


@dataclass(frozen=True)
class PrincipalImpact:
    account_id: str
    screen_name: str | None
    communities: list[int]
    before: int  # retweets received
    direct: int  # of them, by removed accounts
    after: int
    share_lost: float  # direct / before
    retweeters: int  # accounts that retweeted it
    removed_retweeters: int  # of them, removed
    relayed: float  # the removed core's relayed amplification attributed to it

    @property
    def name(self) -> str:
        return f"@{self.screen_name}" if self.screen_name else self.account_id

    def sentence(self) -> str:
        """In the seed case's words: "27,000 accounts gave the ambassador 200,000 retweets:
        94 % of all he received"."""
        if not self.direct:
            return f"No removed account retweeted {self.name} ({self.before:,} retweets stay)."
        return (
            f"{self.removed_retweeters:,} accounts gave {self.name} {self.direct:,} retweets: "
            f"{_pct(self.share_lost)} of all it received ({self.before:,}); "
            f"{self.after:,} remain."
        )


@dataclass(frozen=True)
class Impact:
    run: str
    scope: str  # run (every flagged account), operation, community or accounts
    target: str  # the operation or community id, the accounts file, or ''
    tier: str  # core, amplifier or all
    removed: int
    removed_by_tier: dict[str, int]
    principals: list[PrincipalImpact]
    before: int
    direct: int
    after: int
    share_lost: float
    core_posts: int  # the removed core's own originals
    relayed: int  # their retweets by the run's amplifiers
    relayed_other: int  # their retweets by everyone else (gone too, not amplification)
    unattributed: float  # relayed retweets of core accounts that retweet no principal

    def scope_label(self) -> str:
        what = {
            "run": "every flagged account",
            "operation": f"operation {self.target}",
            "community": f"community {self.target}",
            "accounts": f"the accounts of {self.target}",
        }[self.scope]
        tiers = "" if self.tier == "all" else f", {self.tier} tier only"
        return f"{what}{tiers}"

    def headline(self) -> str:
        tiers = ", ".join(f"{n:,} {t}" for t, n in sorted(self.removed_by_tier.items()))
        k = len(self.principals)
        if not k:
            return (
                f"Removing {self.scope_label()} ({self.removed:,} accounts: {tiers or 'none'}) "
                "takes nothing from any principal: the run found none in this scope (tiers need "
                "the authors of the retweeted posts)."
                + (
                    f" {self.relayed + self.relayed_other:,} retweets of the removed core's own "
                    "posts go too."
                    if self.relayed_other or self.relayed
                    else ""
                )
            )
        text = (
            f"Removing {self.scope_label()} ({self.removed:,} accounts: {tiers or 'none'}) "
            f"takes {self.direct:,} of the {self.before:,} retweets "
            f"{'its principal' if k == 1 else f'its {k:,} principals'} received "
            f"({_pct(self.share_lost)}), leaving {self.after:,}."
        )
        if self.core_posts or self.relayed:
            text += (
                f" With the removed core's {self.core_posts:,} own posts go {self.relayed:,} "
                f"retweets by amplifiers (relayed loss) and {self.relayed_other:,} by others."
            )
        return text

    def sentences(self) -> list[str]:
        return [self.headline(), *(p.sentence() for p in self.principals if p.direct)]


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


@dataclass(frozen=True)
class CoreRelay:
    """A removed core account's own originals and the retweets they drew."""

    core: str
    posts: int
    by_amplifiers: int
    by_others: int


def assess(
    removed: dict[str, str],
    principals: Iterable[tuple[str, str | None, list[int]]],
    received: Iterable[tuple[str, str, int]],
    relays: Iterable[CoreRelay],
    *,
    run: str,
    scope: str,
    target: str,
    tier: str,
) -> Impact:
    """The impact of removing ``removed`` (account id → tier) on ``principals`` (id, screen
    name, communities), given ``received`` rows (principal, retweeter, retweets) and the
    removed core's ``relays``."""
    got: dict[str, dict[str, int]] = defaultdict(dict)
    for principal, retweeter, n in received:
        if retweeter != principal:
            got[principal][retweeter] = got[principal].get(retweeter, 0) + n
    listed = [(pid, name, sorted(cs)) for pid, name, cs in principals]
    ids = {pid for pid, _, _ in listed}
    # How each removed core account's pushes split over the principals assessed.
    pushes: dict[str, dict[str, int]] = defaultdict(dict)
    for principal, by in got.items():
        if principal in ids:
            for retweeter, n in by.items():
                if removed.get(retweeter) == "core":
                    pushes[retweeter][principal] = n
    relays = [r for r in relays if removed.get(r.core) == "core"]
    attributed: dict[str, float] = defaultdict(float)
    unattributed = 0.0
    for r in relays:
        split = pushes.get(r.core, {})
        total = sum(split.values())
        if not total:
            unattributed += r.by_amplifiers
            continue
        for principal, n in split.items():
            attributed[principal] += r.by_amplifiers * n / total
    rows = []
    for pid, name, communities in listed:
        by = got.get(pid, {})
        before = sum(by.values())
        lost = {r: n for r, n in by.items() if r in removed}
        direct = sum(lost.values())
        rows.append(
            PrincipalImpact(
                account_id=pid,
                screen_name=name,
                communities=communities,
                before=before,
                direct=direct,
                after=before - direct,
                share_lost=direct / before if before else 0.0,
                retweeters=len(by),
                removed_retweeters=len(lost),
                relayed=round(attributed.get(pid, 0.0), 2),
            )
        )
    rows.sort(key=lambda p: (-p.direct, -p.before, p.account_id))
    before = sum(p.before for p in rows)
    direct = sum(p.direct for p in rows)
    by_tier: dict[str, int] = defaultdict(int)
    for t in removed.values():
        by_tier[t] += 1
    return Impact(
        run=run,
        scope=scope,
        target=target,
        tier=tier,
        removed=len(removed),
        removed_by_tier=dict(sorted(by_tier.items())),
        principals=rows,
        before=before,
        direct=direct,
        after=before - direct,
        share_lost=direct / before if before else 0.0,
        core_posts=sum(r.posts for r in relays),
        relayed=sum(r.by_amplifiers for r in relays),
        relayed_other=sum(r.by_others for r in relays),
        unattributed=round(unattributed, 2),
    )


def read_accounts_file(path: Path) -> list[str]:
    """Account ids, one a line; blank lines, `#` comments and a header line (account_id, id,
    userid) are skipped; in a CSV line the first field is the id."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read account ids: {e}") from e
    ids: list[str] = []
    for i, line in enumerate(lines):
        value = line.split(",")[0].strip().strip('"')
        if not value or value.startswith("#"):
            continue
        if i == 0 and value.lower() in ("account_id", "id", "userid", "account"):
            continue
        ids.append(value)
    if not ids:
        raise InputError(f"{path}: no account ids in it")
    return list(dict.fromkeys(ids))


def _tiers(tier: str) -> list[str]:
    if tier not in TIER_CHOICES:
        raise InputError(f"--tier must be one of {', '.join(TIER_CHOICES)}, not {tier!r}")
    return ["core", "amplifier", "member"] if tier == "all" else [tier]


def assess_run(
    store: Store,
    run: str = "latest",
    *,
    operation: int | None = None,
    community: int | None = None,
    accounts: Path | None = None,
    tier: str = "all",
    keep: bool = True,
) -> Impact:
    """The impact on a stored run of removing one scope: an operation, a community, the
    accounts listed in a file, or (none given) every flagged account; ``tier`` keeps only
    core or amplifier accounts of it. ``keep`` writes it back as an (:Impact) node."""
    if sum(x is not None for x in (operation, community, accounts)) > 1:
        raise InputError("give at most one of --operation, --community and --accounts")
    tiers = _tiers(tier)
    run_id = resolve_run(store, run)
    scope_params = {"run": run_id, "operation": -1, "community": -1}
    ids: list[str] = []
    if accounts is not None:
        scope, target = "accounts", str(accounts)
        ids = read_accounts_file(accounts)
        rows = store.run(cypherlib.load("impact/tiers"), {"run": run_id, "ids": ids})
        unknown = [r["account_id"] for r in rows if not r["found"]]
        if len(unknown) == len(ids):
            raise InputError(f"{accounts}: none of its {len(ids):,} ids is an account here")
        removed = {
            r["account_id"]: r["tier"]
            for r in rows
            if r["found"] and (tier == "all" or r["tier"] == tier)
        }
    else:
        if operation is not None:
            scope, target = "operation", str(operation)
            scope_params["operation"] = operation
        elif community is not None:
            scope, target = "community", str(community)
            scope_params["community"] = community
        else:
            scope, target = "run", ""
        rows = store.run(cypherlib.load("impact/members"), {**scope_params, "tiers": tiers})
        removed = {r["account_id"]: r["tier"] for r in rows}
        if not removed and scope != "run":
            what = f"{scope} {target}"
            raise InputError(f"run {run_id} has no {' or '.join(tiers)} accounts in {what}")
    principal_params = dict(scope_params) if scope in ("operation", "community") else {}
    principal_rows = store.run(
        cypherlib.load("impact/principals"),
        {"run": run_id, "operation": -1, "community": -1, **principal_params},
    )
    principals = [(r["account_id"], r["screen_name"], r["communities"]) for r in principal_rows]
    received = [
        (r["principal"], r["retweeter"], r["retweets"])
        for r in store.run(cypherlib.load("impact/received"), {"ids": [p[0] for p in principals]})
    ]
    core = sorted(a for a, t in removed.items() if t == "core")
    relays = [
        CoreRelay(**r)
        for r in store.run(cypherlib.load("impact/relayed"), {"run": run_id, "ids": core})
    ]
    impact = assess(
        removed, principals, received, relays, run=run_id, scope=scope, target=target, tier=tier
    )
    if keep:
        save(store, impact, ids)
    return impact


def to_json(impact: Impact) -> dict[str, Any]:
    return {**asdict(impact), "sentences": impact.sentences()}


def from_json(data: dict[str, Any]) -> Impact:
    fields = {k: v for k, v in data.items() if k != "sentences"}
    fields["principals"] = [PrincipalImpact(**p) for p in fields["principals"]]
    return Impact(**fields)


def save(store: Store, impact: Impact, accounts: list[str] | None = None) -> str:
    """Keep ``impact`` as an (:Impact) node of its run; returns when it was stored. An
    accounts scope is keyed by the digest of its sorted ids, which the node keeps too."""
    target = impact.target
    if impact.scope == "accounts":
        ids = sorted(accounts or [])
        target = "sha256:" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    params = {
        "run": impact.run,
        "scope": impact.scope,
        "target": target,
        "tier": impact.tier,
        "removed": impact.removed,
        "direct": impact.direct,
        "relayed": impact.relayed,
        "before": impact.before,
        "after": impact.after,
        "result": json.dumps(to_json(impact)),
        "accounts": sorted(accounts or []) if impact.scope == "accounts" else [],
        "source": impact.target if impact.scope == "accounts" else "",
    }
    (row,) = store.run(cypherlib.load("impact/write"), params)
    return str(row["created_at"])


def stored(store: Store, run_id: str) -> list[Impact]:
    """The assessments kept for a run, newest first."""
    rows = store.run(cypherlib.load("impact/stored"), {"run": run_id})
    return [from_json(json.loads(r["result"])) for r in rows if r["result"]]
