"""A semantic signal that needs no download: word vectors learnt offline from unlabelled Vietnamese plans.

The space is PPMI + truncated SVD over word co-occurrences (a window of ``WINDOW`` underthesea words) in the
unlabelled real documents of ../shared/corpus/real (plans and legal texts), shipped as
``hycompliance/data/word_space.npz`` (a few MB). It also carries each word's document frequency in that
corpus, a background IDF that the scope check uses to weigh what a document is about.

A text becomes the IDF-weighted mean of its words' vectors, unit length (``Space.embed``); two texts that say
the same thing in other words ("công nghiệp hỗ trợ" / "công nghiệp phụ trợ") land close. Retrain with
``python -m hycompliance.semantic OUT.npz DIR...`` (what the shipped file was made with is in its ``meta``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from hycompliance.text import Lexicon, load_lexicon, words

SPACE_FILE = Path(__file__).parent / "data" / "word_space.npz"
WINDOW = 4
DIM = 96
MIN_COUNT = 3
MAX_VOCAB = 7_000


@dataclass(frozen=True, eq=False)
class Space:
    """Word vectors (unit rows) and background document frequencies over one vocabulary."""

    vocab: dict[str, int]
    vectors: np.ndarray  # V x d float32, unit rows
    idf: np.ndarray  # V: log((1 + N) / (1 + df)) + 1 over the training documents
    meta: str = ""

    def idf_of(self, word: str) -> float:
        """The background IDF of a word (an unseen word counts as the rarest)."""
        k = self.vocab.get(word)
        return float(self.idf[k]) if k is not None else float(self.idf.max(initial=1.0))

    def embed(self, bags: Sequence[Sequence[str]], weights: Sequence[dict[str, float]] | None = None) -> np.ndarray:
        """One unit vector per bag of words: the mean of its known words' vectors, each weighted by its
        background IDF (times ``weights[i][word]`` when given, e.g. the boilerplate weight). A bag with no
        known word is the zero vector."""
        out = np.zeros((len(bags), self.vectors.shape[1]), dtype=np.float32)
        for i, bag in enumerate(bags):
            idx = [self.vocab[w] for w in bag if w in self.vocab]
            if not idx:
                continue
            wt = self.idf[idx].astype(np.float32)
            if weights is not None:
                wt = wt * np.array([weights[i].get(w, 1.0) for w in bag if w in self.vocab], dtype=np.float32)
            v = wt @ self.vectors[idx]
            n = float(np.linalg.norm(v))
            if n > 0:
                out[i] = v / n
        return out


@lru_cache(maxsize=2)
def load_space(path: str | None = None) -> Space:
    """The shipped word space (read once per process)."""
    with np.load(path or SPACE_FILE, allow_pickle=False) as data:
        vocab = {w: k for k, w in enumerate(data["words"].tolist())}
        return Space(vocab, data["vectors"].astype(np.float32), data["idf"].astype(np.float32), str(data["meta"]))


def save_space(space: Space, path: str | Path) -> None:
    words_ = np.array(sorted(space.vocab, key=space.vocab.__getitem__))
    np.savez_compressed(path, words=words_, vectors=space.vectors.astype(np.float16), idf=space.idf.astype(np.float16),
                        meta=np.array(space.meta))


# --- training ----------------------------------------------------------------------------------------


def _randomized_svd(m: np.ndarray, k: int, iters: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` left singular vectors and values of ``m`` (Halko et al.: random range finder + power steps)."""
    rng = np.random.default_rng(seed)
    q = np.linalg.qr(m @ rng.standard_normal((m.shape[1], k + 16)).astype(m.dtype))[0]
    for _ in range(iters):
        q = np.linalg.qr(m @ (m.T @ q))[0]
    u, s, _ = np.linalg.svd(q.T @ m, full_matrices=False)
    return (q @ u)[:, :k], s[:k]


def train(docs: Iterable[Sequence[Sequence[str]]], *, dim: int = DIM, window: int = WINDOW, min_count: int = MIN_COUNT,
          max_vocab: int = MAX_VOCAB, meta: str = "") -> Space:
    """PPMI + SVD word vectors from documents given as lists of sentences of words."""
    docs = [list(d) for d in docs]
    counts: dict[str, int] = {}
    df: dict[str, int] = {}
    for doc in docs:
        for w in {w for sent in doc for w in sent}:
            df[w] = df.get(w, 0) + 1
        for sent in doc:
            for w in sent:
                counts[w] = counts.get(w, 0) + 1
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))[:max_vocab]
    vocab = {w: k for k, w in enumerate(kept)}
    co = np.zeros((len(vocab), len(vocab)), dtype=np.float32)
    for doc in docs:
        for sent in doc:
            ids = [vocab.get(w, -1) for w in sent]
            for a, ia in enumerate(ids):
                if ia < 0:
                    continue
                for b in range(a + 1, min(a + 1 + window, len(ids))):
                    ib = ids[b]
                    if ib >= 0:
                        co[ia, ib] += 1.0 / (b - a)
                        co[ib, ia] += 1.0 / (b - a)
    row = co.sum(axis=1, keepdims=True)
    col = co.sum(axis=0, keepdims=True) ** 0.75  # context distribution smoothing (Levy et al. 2015)
    # PPMI in place (the matrix is large): log(P(a,b) / (P(a) P_0.75(b))), negatives and zeros to 0
    co *= col.sum()
    co /= np.maximum(row, 1e-12)
    co /= np.maximum(col, 1e-12)
    np.maximum(co, 1.0, out=co)
    np.log(co, out=co)
    ppmi = co
    u, s = _randomized_svd(ppmi, dim)
    vec = u * np.sqrt(s)[None, :]
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    n = len(docs)
    idf = np.array([np.log((1 + n) / (1 + df[w])) + 1.0 for w in kept], dtype=np.float32)
    return Space(vocab, vec.astype(np.float32), idf, meta)


def document_sentences(text: str, lex: Lexicon) -> list[tuple[str, ...]]:
    """A document as sentences (lines) of content words."""
    return [ws for line in text.splitlines() if (ws := words(line, lex))]


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m hycompliance.semantic OUT.npz DIR...", file=sys.stderr)
        return 2
    out, dirs = argv[0], argv[1:]
    lex = load_lexicon()
    paths = sorted(p for d in dirs for p in Path(d).rglob("*") if p.suffix in (".txt", ".md"))
    docs = [document_sentences(p.read_text(encoding="utf-8", errors="replace"), lex) for p in paths]
    meta = f"PPMI+SVD dim={DIM} window={WINDOW} min_count={MIN_COUNT} from {len(paths)} files of " + ", ".join(
        Path(d).name for d in dirs)
    space = train(docs, meta=meta)
    save_space(space, out)
    print(f"{len(space.vocab)} words x {space.vectors.shape[1]} from {len(paths)} files -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
