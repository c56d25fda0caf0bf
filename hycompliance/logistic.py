"""Weighted L2 logistic regression by Newton steps: how the matcher's weights and the re-rank are fitted."""

from __future__ import annotations

import numpy as np


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50,
                 sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by Newton steps; positives and negatives weigh the same in total
    (or as ``sample_weight`` says)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    pos = max(y.sum(), 1.0)
    neg = max(len(y) - y.sum(), 1.0)
    sw = sample_weight if sample_weight is not None else np.where(y > 0, 0.5 * len(y) / pos, 0.5 * len(y) / neg)
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (sw * (p - y)) + reg @ w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])
