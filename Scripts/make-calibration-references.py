#!/usr/bin/env python3
"""Fixed histograms and the thresholds an independent numpy implementation picks for them.

    python3 Scripts/make-calibration-references.py     (needs numpy)

Writes Fixtures/calibration/<case>.txt (first line: bins, limit and the count of exact zeros, which are
kept out of the bins; then one count per bin) and
Fixtures/calibration/expected.tsv (case, mode, threshold). The histograms come from seeded samples of
shapes seen in real networks: a Gaussian, a ReLU output (half-Laplace with a spike at zero), a heavy
tail with outliers, a narrow distribution with one far outlier, and a ReLU6 output.

KL follows MXNet's python `_get_optimal_threshold` (8001 bins, 255 quantized bins, candidates from 127),
computed here in float64, on the histogram without the exact zeros. Percentile counts the zeros: the upper edge of the first ring of bins around zero holding the
share. MSE: the ring edge minimizing sum(count * (|centre| - q(|centre|))^2), q rounding half to even
onto 127 levels.
"""
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "calibration")
EPS = 1e-4


def cases():
    rng = np.random.default_rng(20261122)
    yield "gaussian", rng.normal(0, 1, 200_000), 8001
    relu = np.maximum(rng.laplace(0.2, 1.0, 200_000), 0)
    yield "relu", relu, 8001
    heavy = np.concatenate([rng.standard_t(3, 200_000), [40.0, -35.0, 60.0]])
    yield "heavy_tail", heavy, 8001
    narrow = np.concatenate([rng.normal(0, 0.05, 50_000), [3.0]])
    yield "outlier", narrow, 2001
    # ReLU6 after a convolution: a third exact zeros, a spike at 6, a long thin tail between.
    relu6 = np.clip(rng.laplace(0.3, 0.8, 200_000) * rng.choice([1.0, 3.0], 200_000, p=[0.9, 0.1]), 0, 6)
    yield "relu6", relu6, 8001


def smooth(p):
    zeros = p == 0
    n_zeros = zeros.sum()
    n_nonzeros = p.size - n_zeros
    if n_nonzeros == 0:
        return None
    eps1 = EPS * n_zeros / n_nonzeros
    out = p.astype(np.float64) + EPS * zeros - eps1 * (~zeros)
    return out if (out > 0).all() else None


def kl_threshold(hist, limit, quantized=255):
    n = hist.size
    centre = n // 2
    half = quantized // 2
    width = 2 * limit / n
    best, best_i = np.inf, half
    for i in range(half, centre + 1):
        start, stop = centre - i, centre + i + 1
        sliced = hist[start:stop].astype(np.float64)
        p = sliced.copy()
        p[0] += hist[:start].sum()
        p[-1] += hist[stop:].sum()
        nonzero = (p != 0).astype(np.int64)
        merged = sliced.size // quantized
        q = np.zeros(sliced.size)
        for j in range(quantized):
            s = j * merged
            e = sliced.size if j == quantized - 1 else s + merged
            norm = nonzero[s:e].sum()
            if norm:
                q[s:e] = sliced[s:e].sum() / norm
        q[p == 0] = 0
        ps, qs = smooth(p), smooth(q)
        if ps is None or qs is None:
            continue
        ps, qs = ps / ps.sum(), qs / qs.sum()
        d = float(np.sum(ps * np.log(ps / qs)))
        if d < best:
            best, best_i = d, i
    return (best_i + 0.5) * width


def percentile_threshold(hist, limit, percentile, zeros):
    n = hist.size
    centre = n // 2
    rings = np.concatenate([[hist[centre] + zeros], hist[centre + 1:] + hist[:centre][::-1]])
    cumulative = np.cumsum(rings.astype(np.float64))
    j = int(np.searchsorted(cumulative, (hist.sum() + zeros) * percentile / 100.0))
    return (min(j, centre) + 0.5) * (2 * limit / n)


def mse_threshold(hist, limit, levels=127):
    n = hist.size
    centre = n // 2
    width = 2 * limit / n
    idx = np.nonzero(hist)[0]
    x = np.abs(idx - centre) * width
    c = hist[idx].astype(np.float64)
    best, best_j = np.inf, centre
    for j in range(centre + 1):
        scale = (j + 0.5) * width / levels
        q = np.minimum(np.round(x / scale), levels) * scale
        e = float(np.sum(c * (x - q) ** 2))
        if e < best:
            best, best_j = e, j
    return (best_j + 0.5) * width


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name, samples, bins in cases():
        limit = float(np.abs(samples).max())
        zeros = int((samples == 0).sum())
        hist, _ = np.histogram(samples[samples != 0], bins=bins, range=(-limit, limit))
        with open(os.path.join(OUT, name + ".txt"), "w") as f:
            f.write("%d %.17g %d\n" % (bins, limit, zeros))
            f.write("\n".join(str(int(v)) for v in hist) + "\n")
        rows.append((name, "kl", kl_threshold(hist, limit)))
        for p in (99.0, 99.9, 99.999):
            rows.append((name, "percentile:%g" % p, percentile_threshold(hist, limit, p, zeros)))
        rows.append((name, "mse", mse_threshold(hist, limit)))
    with open(os.path.join(OUT, "expected.tsv"), "w") as f:
        f.write("case\tmode\tthreshold\n")
        for name, mode, t in rows:
            f.write("%s\t%s\t%.12g\n" % (name, mode, t))
    print(open(os.path.join(OUT, "expected.tsv")).read())


if __name__ == "__main__":
    main()
