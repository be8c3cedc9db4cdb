"""Communities of the coordination network, and how tightly each account is synchronised.

The network is the co-share projection of ``coordination.co_share`` (co-retweet by default):
an undirected edge per account pair, weighted by the number of times the two shared one object
within the window. ``threshold_edges`` optionally removes weak ties first, by an absolute weight
or by CooRTweet's ``edge_weight`` quantile rule. ``find_communities`` then clusters the accounts
with igraph:

- ``leiden`` (default): Traag, Waltman & van Eck (2019), objective ``modularity``, the given
  resolution, two iterations (the default of igraph and leidenalg; iterating until no pass
  improves the partition raised the modularity by 1e-5 on the scale-4 scenario, in three times
  the time);
- ``louvain``: Blondel et al. (2008) multilevel modularity optimisation, the given resolution;
- ``infomap``: Rosvall & Bergstrom (2008), the map equation (no resolution).

igraph draws from the Python generator installed with ``igraph.set_random_number_generator``;
each call installs a fresh ``random.Random(seed)`` and restores the default afterwards, so the
same network and seed always give the same partition. Community ids are then renumbered by size
(largest first, ties by the smallest account id), so they do not depend on igraph's numbering.

Modularity compares each community with the whole network, so a resolution above 1 / f breaks
apart a dense block that holds a share f of all the co-share weight (a large operation's core
often holds most of it): keep the resolution at or below 1 for such archives.

``synchrony`` measures how tight each account's ties to its own community are: the mean weight
of its edges to fellow members, i.e. how many times on average it met each partner within the
window. Chance gives two accounts that retweet the same popular posts one meeting; coordinated
accounts meet the same partners again and again.

Accounts are integer codes throughout (``Network``), so the work is in numpy and igraph rather
than on strings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph
import numpy as np
import polars as pl

from tierscope.graphdb.detect.coordination import edge_weight_threshold
from tierscope.graphdb.errors import InputError

ALGORITHMS = ("leiden", "louvain", "infomap")
MEMBERSHIP_SCHEMA = {"account": pl.String, "community": pl.Int64}
OUTSIDE = -1  # community code of an account in no community
LEIDEN_ITERATIONS = 2


def codes(ids: pl.Series, accounts: pl.Series) -> np.ndarray:
    """Positions of ``ids`` in the sorted, unique ``accounts``."""
    return ids.cast(pl.Enum(accounts)).to_physical().cast(pl.Int64).to_numpy()


@dataclass(frozen=True)
class Network:
    """Undirected weighted edges between accounts; vertex i is ``accounts[i]``."""

    accounts: pl.Series
    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray

    @classmethod
    def from_edges(cls, edges: pl.DataFrame, accounts: pl.Series | None = None) -> Network:
        """Code an edge table (account_a, account_b, weight); ``accounts`` must hold every end."""
        if accounts is None:
            accounts = pl.concat([edges["account_a"], edges["account_b"]]).unique().sort()
        return cls(
            accounts=accounts,
            a=codes(edges["account_a"], accounts),
            b=codes(edges["account_b"], accounts),
            weight=edges["weight"].cast(pl.Float64).to_numpy(),
        )

    def graph(self) -> igraph.Graph:
        graph = igraph.Graph(n=len(self.accounts), directed=False)
        # add_edges takes the array in one call; the constructor walks it pair by pair.
        graph.add_edges(np.column_stack([self.a, self.b]))
        return graph

    def linked(self) -> np.ndarray:
        """Whether each account has an edge."""
        seen = np.zeros(len(self.accounts), dtype=bool)
        seen[self.a] = seen[self.b] = True
        return seen


def threshold_edges(
    edges: pl.DataFrame, weight: float | None = None, quantile: float | None = None
) -> pl.DataFrame:
    """Drop weak ties: ``weight >= weight``, or CooRTweet's quantile rule; all edges if neither."""
    if weight is None and quantile is None:
        return edges
    return edge_weight_threshold(edges, threshold=weight, quantile=quantile)


def cluster(
    network: Network, algorithm: str = "leiden", resolution: float = 1.0, seed: int = 42
) -> np.ndarray:
    """Community of every account of the network (OUTSIDE for accounts without edges)."""
    if algorithm not in ALGORITHMS:
        raise InputError(f"unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    graph = network.graph()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        if algorithm == "leiden":
            clustering = graph.community_leiden(
                objective_function="modularity",
                weights=network.weight,
                resolution=resolution,
                n_iterations=LEIDEN_ITERATIONS,
            )
        elif algorithm == "louvain":
            clustering = graph.community_multilevel(weights=network.weight, resolution=resolution)
        else:
            clustering = graph.community_infomap(edge_weights=network.weight)
    finally:
        igraph.set_random_number_generator(random)
    raw = np.asarray(clustering.membership, dtype=np.int64)
    linked = network.linked()
    raw[~linked] = OUTSIDE
    # Renumber by size, largest first; accounts are sorted, so the first member is the smallest.
    labels, first, sizes = np.unique(raw[linked], return_index=True, return_counts=True)
    order = np.lexsort((np.flatnonzero(linked)[first], -sizes))
    number = np.empty(len(labels), dtype=np.int64)
    number[order] = np.arange(len(labels))
    community = np.full(len(raw), OUTSIDE, dtype=np.int64)
    community[linked] = number[np.searchsorted(labels, raw[linked])]
    return community


def find_communities(
    edges: pl.DataFrame,
    algorithm: str = "leiden",
    resolution: float = 1.0,
    seed: int = 42,
) -> pl.DataFrame:
    """One row per account with an edge: account, community (0 = the largest community)."""
    if algorithm not in ALGORITHMS:
        raise InputError(f"unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    if edges.is_empty():
        return pl.DataFrame(schema=MEMBERSHIP_SCHEMA)
    network = Network.from_edges(edges)
    return membership_frame(network, cluster(network, algorithm, resolution, seed))


def membership_frame(network: Network, community: np.ndarray) -> pl.DataFrame:
    """account, community of the accounts in a community."""
    inside = community != OUTSIDE
    return pl.DataFrame(
        {"account": network.accounts.filter(pl.Series(inside)), "community": community[inside]},
        schema=MEMBERSHIP_SCHEMA,
    )


def synchrony(network: Network, community: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per account: mean weight of its edges to its own community, and how many such partners.

    ``community`` gives each account's community code, OUTSIDE for none; accounts outside any
    community get 0 and 0.
    """
    n = len(network.accounts)
    same = (community[network.a] == community[network.b]) & (community[network.a] != OUTSIDE)
    ends = np.concatenate([network.a[same], network.b[same]])
    weights = np.tile(network.weight[same], 2)
    partners = np.bincount(ends, minlength=n)
    total = np.bincount(ends, weights=weights, minlength=n)
    mean = np.divide(total, partners, out=np.zeros(n), where=partners > 0)
    return mean, partners


def synchrony_frame(network: Network, community: np.ndarray) -> pl.DataFrame:
    """account, community, synchrony, partners for the accounts in a community."""
    mean, partners = synchrony(network, community)
    inside = community != OUTSIDE
    return membership_frame(network, community).with_columns(
        synchrony=pl.Series(mean[inside]), partners=pl.Series(partners[inside])
    )
