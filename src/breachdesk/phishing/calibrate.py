"""Fit the signal weights on labelled mail: L2-regularised logistic regression, in points.

Run ``python -m breachdesk.phishing.calibrate --phishing DIR --legit DIR [--out FILE]``.
Each message becomes the set of signals it shows; the fit finds log-odds per signal, which
are scaled so that a probability of one half lands on the ``phishing`` threshold.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from breachdesk.phishing.context import ScoringContext
from breachdesk.phishing.domains import Brand
from breachdesk.phishing.lookalikes import generate_lookalikes
from breachdesk.phishing.parse import Limits, parse_message
from breachdesk.phishing.score import load_weights
from breachdesk.phishing.signals import SIGNALS, collect_signals
from breachdesk.phishing.sources import iter_messages
from breachdesk.phishing.watchlist import Watchlist

Sample = tuple[frozenset[str], int]


@dataclass(frozen=True)
class Fit:
    bias: float
    coefficients: dict[str, float]
    samples: int
    positives: int


def signal_sets(paths: Iterable[Path], context: ScoringContext) -> list[frozenset[str]]:
    """The set of signal names each message under ``paths`` shows."""
    limits = Limits()
    sets = []
    for source in iter_messages(paths, limits.max_bytes):
        parsed = parse_message(source.data, limits)
        sets.append(frozenset(s.name for s in collect_signals(parsed, context)))
    return sets


def fit_logistic(
    samples: Sequence[Sample], *, l2: float = 0.002, iterations: int = 6000, rate: float = 1.0
) -> Fit:
    """Gradient descent on the mean log-loss plus ``l2``/2·‖w‖² (the bias is not penalised).

    Identical signal sets are grouped, so each step costs the number of distinct sets.
    """
    groups = Counter(samples)
    total = sum(groups.values())
    names = sorted({name for features, _ in groups for name in features})
    weights = dict.fromkeys(names, 0.0)
    bias = 0.0
    for _ in range(iterations):
        grad = dict.fromkeys(names, 0.0)
        grad_bias = 0.0
        for (features, label), count in groups.items():
            z = bias + sum(weights[n] for n in features)
            error = (_sigmoid(z) - label) * count / total
            grad_bias += error
            for name in features:
                grad[name] += error
        bias -= rate * grad_bias
        for name in names:
            weights[name] -= rate * (grad[name] + l2 * weights[name])
    return Fit(bias, weights, total, sum(c for (_, label), c in groups.items() if label))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def to_points(fit: Fit, *, phishing: int = 60) -> dict[str, int]:
    """Log-odds scaled to points: the sum reaches ``phishing`` where the fit says p = 0.5."""
    if fit.bias >= 0:
        raise ValueError("the fit's bias is not negative: label more legitimate mail")
    scale = phishing / -fit.bias
    points = dict.fromkeys(SIGNALS, 0)
    for name, value in fit.coefficients.items():
        points[name] = max(-100, min(100, round(value * scale)))
    return points


def evaluate(samples: Sequence[Sample], points: dict[str, int], threshold: int) -> dict[str, float]:
    """Recall, false-positive rate and precision of "score ≥ threshold"."""
    tp = fp = fn = tn = 0
    for features, label in samples:
        flagged = max(0, min(100, sum(points.get(n, 0) for n in features))) >= threshold
        tp += flagged and label == 1
        fp += flagged and label == 0
        fn += not flagged and label == 1
        tn += not flagged and label == 0
    return {
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "false_positive_rate": fp / (fp + tn) if fp + tn else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--phishing", type=Path, nargs="+", required=True)
    parser.add_argument("--legit", type=Path, nargs="+", required=True)
    parser.add_argument("--brand", default="Maison Aurelle")
    parser.add_argument("--domain", action="append", default=None)
    parser.add_argument("--out", type=Path, help="write a weights file (YAML) here")
    args = parser.parse_args(argv)
    domains = args.domain or ["maison-aurelle.com"]
    brand = Brand.of(args.brand, domains)
    context = ScoringContext.of(brand, Watchlist.of(generate_lookalikes(d) for d in domains))
    samples: list[Sample] = [(s, 1) for s in signal_sets(args.phishing, context)]
    samples += [(s, 0) for s in signal_sets(args.legit, context)]
    fit = fit_logistic(samples)
    points = to_points(fit)
    current = load_weights()
    report = {
        "samples": fit.samples,
        "phishing": fit.positives,
        "bias": round(fit.bias, 3),
        "coefficients": {k: round(v, 3) for k, v in sorted(fit.coefficients.items())},
        "points": points,
        "fit": evaluate(samples, points, 60),
        "bundled_weights": evaluate(samples, current.points, current.phishing),
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    if args.out:
        document = {"thresholds": {"phishing": 60, "suspicious": 30}, "weights": points}
        args.out.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
