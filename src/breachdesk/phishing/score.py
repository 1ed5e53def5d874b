"""Scoring of reported emails: signals × weights → a 0-100 score, a verdict and reasons.

Weights live in ``data/weights.yaml`` (or a file given to ``load_weights``); reasons list
each signal with its weight and evidence, highest weight first, so an agent can read them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml

from breachdesk.errors import ConfigError
from breachdesk.phishing.context import ScoringContext, Signal
from breachdesk.phishing.parse import Limits, parse_message
from breachdesk.phishing.signals import SIGNALS, collect_signals
from breachdesk.phishing.sources import iter_messages

VerdictName = Literal["phishing", "suspicious", "clean"]


@dataclass(frozen=True)
class Weights:
    """Points per signal and the two verdict thresholds."""

    points: dict[str, int]
    phishing: int = 60
    suspicious: int = 30

    def verdict(self, score: int) -> VerdictName:
        if score >= self.phishing:
            return "phishing"
        if score >= self.suspicious:
            return "suspicious"
        return "clean"


def load_weights(path: Path | None = None) -> Weights:
    """The weights file at ``path`` (the bundled one when None), validated."""
    where = str(path) if path else "breachdesk/phishing/data/weights.yaml"
    try:
        if path is None:
            source = resources.files("breachdesk.phishing").joinpath("data", "weights.yaml")
            text = source.read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the weights: {exc}", path=where) from None
    return weights_from_dict(data, where)


def weights_from_dict(data: object, where: str) -> Weights:
    if not isinstance(data, dict) or set(data) != {"thresholds", "weights"}:
        raise ConfigError("expected exactly 'thresholds' and 'weights'", path=where)
    points, thresholds = data["weights"], data["thresholds"]
    if not isinstance(points, dict) or not isinstance(thresholds, dict):
        raise ConfigError("'thresholds' and 'weights' must be tables", path=where)
    unknown = set(points) - set(SIGNALS)
    missing = set(SIGNALS) - set(points)
    if unknown or missing:
        raise ConfigError(
            f"weights must name every signal once (unknown: {sorted(unknown)}, "
            f"missing: {sorted(missing)})",
            path=where,
        )
    for name, value in [*points.items(), *thresholds.items()]:
        if not isinstance(value, int) or isinstance(value, bool) or not -100 <= value <= 100:
            raise ConfigError(f"{name}: weights are whole numbers from -100 to 100", path=where)
    phishing, suspicious = thresholds.get("phishing"), thresholds.get("suspicious")
    if not (isinstance(phishing, int) and isinstance(suspicious, int)) or suspicious > phishing:
        raise ConfigError("thresholds need suspicious <= phishing", path=where)
    return Weights({str(k): int(v) for k, v in points.items()}, phishing, suspicious)


@dataclass(frozen=True)
class Reason:
    signal: str
    weight: int
    evidence: str


@dataclass(frozen=True)
class Verdict:
    """The judgement on one email."""

    file: str
    verdict: VerdictName
    score: int
    reasons: tuple[Reason, ...]
    anomalies: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def signals(self) -> set[str]:
        return {r.signal for r in self.reasons}

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "verdict": self.verdict,
            "score": self.score,
            "reasons": [
                {"signal": r.signal, "weight": r.weight, "evidence": r.evidence}
                for r in self.reasons
            ],
        }


def judge(signals: Iterable[Signal], weights: Weights, name: str) -> Verdict:
    order = {s: i for i, s in enumerate(SIGNALS)}
    reasons = sorted(
        (Reason(s.name, weights.points.get(s.name, 0), s.evidence) for s in signals),
        key=lambda r: (-r.weight, order.get(r.signal, len(order))),
    )
    score = max(0, min(100, sum(r.weight for r in reasons)))
    return Verdict(name, weights.verdict(score), score, tuple(reasons))


class PhishingScorer:
    """Scores emails against one context (brand, watch list, leaks) with one set of weights."""

    def __init__(
        self,
        context: ScoringContext,
        weights: Weights | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.context = context
        self.weights = weights or load_weights()
        self.limits = limits or Limits()

    def score_bytes(self, data: bytes, name: str = "-") -> Verdict:
        parsed = parse_message(data, self.limits)
        verdict = judge(collect_signals(parsed, self.context), self.weights, name)
        return Verdict(
            verdict.file,
            verdict.verdict,
            verdict.score,
            verdict.reasons,
            tuple(sorted(parsed.anomalies)),
            parsed.seconds,
        )

    def score_paths(self, paths: Iterable[Path]) -> Iterator[Verdict]:
        """A verdict per message under ``paths`` (files, folders, mbox files, maildirs).

        Unreadable paths raise InputFileError here, before any message is scored.
        """
        sources = iter_messages(paths, self.limits.max_bytes)
        return (self.score_bytes(source.data, source.name) for source in sources)
