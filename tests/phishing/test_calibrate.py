"""Calibration: the logistic fit weighs informative signals and scales them to points."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from breachdesk.phishing.calibrate import Fit, evaluate, fit_logistic, main, to_points
from breachdesk.phishing.score import load_weights


def test_fit_gives_weight_to_what_separates_the_labels() -> None:
    samples = [(frozenset({"lookalike-sender", "urgency-language"}), 1)] * 40
    samples += [(frozenset({"urgency-language"}), 0)] * 40
    samples += [(frozenset(), 0)] * 200
    fit = fit_logistic(samples)
    assert fit.coefficients["lookalike-sender"] > 1.0
    assert fit.coefficients["lookalike-sender"] > fit.coefficients["urgency-language"]
    assert fit.bias < 0
    points = to_points(fit)
    assert evaluate(samples, points, 60) == {
        "recall": 1.0,
        "false_positive_rate": 0.0,
        "precision": 1.0,
    }


def test_to_points_scales_one_half_to_the_threshold() -> None:
    points = to_points(Fit(bias=-3.0, coefficients={"ip-link": 3.0}, samples=1, positives=0))
    assert points["ip-link"] == 60
    assert points["lookalike-sender"] == 0
    with pytest.raises(ValueError, match="bias"):
        to_points(Fit(bias=1.0, coefficients={}, samples=1, positives=1))


def test_calibrate_script_writes_a_valid_weights_file(
    tmp_path: Path, mail: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    phish, legit, _ = mail.corpus(seed=2, phishing_count=30, legit_count=30)
    for label, items in (("p", phish), ("l", legit)):
        (tmp_path / label).mkdir()
        for item in items:
            (tmp_path / label / item.name).write_bytes(item.data)
    out = tmp_path / "weights.yaml"
    code = main(
        ["--phishing", str(tmp_path / "p"), "--legit", str(tmp_path / "l"), "--out", str(out)]
    )
    assert code == 0
    assert '"recall"' in capsys.readouterr().out
    assert load_weights(out).phishing == 60
