"""Scoring: every planted brand phishing flagged for the right reasons, no legitimate mail."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from breachdesk.errors import ConfigError
from breachdesk.phishing import SIGNALS, PhishingScorer, Weights, load_weights
from breachdesk.phishing.context import Signal
from breachdesk.phishing.score import judge, weights_from_dict


@pytest.fixture(scope="module")
def brand_mail(mail: ModuleType) -> tuple[list[object], list[object]]:
    phishing, legit, _ = mail.corpus(seed=20261103, phishing_count=150, legit_count=150)
    return phishing, legit


def test_score_flags_every_brand_phishing_with_its_reasons(
    scorer: PhishingScorer, brand_mail: tuple[list, list]
) -> None:
    phishing_verdicts = 0
    for planted in brand_mail[0]:
        verdict = scorer.score_bytes(planted.data, planted.name)
        assert verdict.verdict != "clean", (planted.variant, verdict)
        missing = planted.expected - verdict.signals
        assert not missing, (planted.name, planted.variant, missing, verdict.reasons)
        phishing_verdicts += verdict.verdict == "phishing"
    # Soft lures that only name the brand in the text may stay "suspicious"; few do.
    assert phishing_verdicts >= 0.95 * len(brand_mail[0])


def test_score_flags_no_legitimate_brand_mail(
    scorer: PhishingScorer, brand_mail: tuple[list, list]
) -> None:
    for legit in brand_mail[1]:
        verdict = scorer.score_bytes(legit.data, legit.name)
        assert verdict.verdict == "clean", (legit.variant, verdict.reasons)
        assert "brand-authenticated" in verdict.signals


def test_score_legit_mail_without_auth_is_not_authenticated(
    scorer: PhishingScorer, mail: ModuleType
) -> None:
    # The same legitimate mail with its Authentication-Results removed is no longer vouched for.
    _, legit, _ = mail.corpus(seed=7, phishing_count=0, legit_count=5)
    for item in legit:
        data = b"\n".join(
            line for line in item.data.split(b"\n") if not line.startswith(b"Authentication-")
        )
        assert "brand-authenticated" not in scorer.score_bytes(data).signals


def test_score_reasons_carry_weight_and_evidence(scorer: PhishingScorer, mail: ModuleType) -> None:
    phishing, _, _ = mail.corpus(seed=11, phishing_count=5, legit_count=0)
    verdict = scorer.score_bytes(phishing[0].data, "x.eml")
    document = verdict.to_dict()
    assert set(document) == {"file", "verdict", "score", "reasons"}
    assert 0 <= document["score"] <= 100
    weights = [r["weight"] for r in document["reasons"]]
    assert weights == sorted(weights, reverse=True)
    for reason in document["reasons"]:
        assert set(reason) == {"signal", "weight", "evidence"}
        assert reason["signal"] in SIGNALS
        assert reason["evidence"]


def test_score_spoofed_brand_domain_failing_dmarc(scorer: PhishingScorer) -> None:
    data = (
        b"Authentication-Results: mx.example; spf=fail smtp.mailfrom=maison-aurelle.com;"
        b" dmarc=fail header.from=maison-aurelle.com\n"
        b"From: Maison Aurelle <service@maison-aurelle.com>\nTo: a@example.org\n"
        b"Subject: hello\n\nhello\n"
    )
    verdict = scorer.score_bytes(data)
    assert "brand-domain-spoofed" in verdict.signals
    assert "brand-authenticated" not in verdict.signals
    assert verdict.verdict == "phishing"


def test_score_forwarded_phishing_is_judged_by_the_inner_message(
    scorer: PhishingScorer, mail: ModuleType
) -> None:
    phishing, _, _ = mail.corpus(seed=5, phishing_count=1, legit_count=0)
    outer = (
        b"From: Camille <camille@example.org>\nTo: support@maison-aurelle.com\n"
        b"Subject: Fwd: is this real?\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="fw"\n\n--fw\nContent-Type: text/plain\n\n'
        b"Is this from you?\n--fw\nContent-Type: message/rfc822\n\n"
        + phishing[0].data
        + b"\n--fw--\n"
    )
    verdict = scorer.score_bytes(outer)
    assert verdict.verdict == "phishing"
    assert phishing[0].expected & verdict.signals


def test_judge_clamps_and_picks_the_verdict() -> None:
    weights = Weights(dict.fromkeys(SIGNALS, 0) | {"lookalike-sender": 70, "ip-link": 40})
    high = judge([Signal("lookalike-sender", "x"), Signal("ip-link", "y")], weights, "f")
    assert (high.score, high.verdict) == (100, "phishing")
    middle = judge([Signal("ip-link", "y")], weights, "f")
    assert (middle.score, middle.verdict) == (40, "suspicious")
    assert judge([], weights, "f").verdict == "clean"


def test_bundled_weights_name_every_signal() -> None:
    weights = load_weights()
    assert set(weights.points) == set(SIGNALS)
    assert weights.points["brand-authenticated"] < 0
    assert weights.suspicious < weights.phishing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["weights"].pop("ip-link"), "missing"),
        (lambda d: d["weights"].update({"made-up": 3}), "unknown"),
        (lambda d: d["weights"].update({"ip-link": 500}), "whole numbers"),
        (lambda d: d["thresholds"].update({"suspicious": 90}), "suspicious <= phishing"),
        (lambda d: d.pop("thresholds"), "exactly"),
    ],
)
def test_weights_file_errors_name_the_problem(change: object, message: str) -> None:
    document = {
        "thresholds": {"phishing": 60, "suspicious": 30},
        "weights": dict.fromkeys(SIGNALS, 10),
    }
    change(document)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=message):
        weights_from_dict(document, "w.yaml")


def test_load_weights_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    lines = ["thresholds: {phishing: 50, suspicious: 20}", "weights:"]
    lines += [f"  {name}: 5" for name in SIGNALS]
    path.write_text("\n".join(lines))
    assert load_weights(path).phishing == 50
    path.write_text("weights: [")
    with pytest.raises(ConfigError, match="cannot read the weights"):
        load_weights(path)
