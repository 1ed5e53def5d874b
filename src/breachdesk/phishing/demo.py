"""The phishing stage of ``breachdesk demo``: lookalikes of the brand, verdicts on its mail.

The demo workspace holds ``emails/phishing`` and ``emails/legit``; ``truth.json`` says
which is which. The stage fails when a planted phishing email passes as clean or a
legitimate one is flagged: the demo shows what the product really does.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from breachdesk.demo.stages import StageOutcome
from breachdesk.phishing.defence import email_scorer, record_lookalikes, workspace_brand
from breachdesk.phishing.score import Verdict
from breachdesk.workspace import Workspace


def phishing_stage(workspace: Workspace) -> StageOutcome:
    brand = workspace_brand(workspace)
    lines: list[str] = []
    figures: dict[str, object] = {}
    lookalikes = record_lookalikes(workspace, sorted(brand.domains))
    count = sum(len(s.permutations) for s in lookalikes)
    figures["lookalikes"] = count
    homoglyphs = sum(1 for s in lookalikes for p in s.permutations if p.domain.startswith("xn--"))
    shown = ", ".join(sorted(brand.domains)) or "(no brand domains in the settings)"
    lines.append(f"{count:,} lookalike domains of {shown} on the watch list ({homoglyphs:,} IDN)")
    scorer = email_scorer(workspace)
    truth = _truth(workspace.root)
    failed = False
    for label in ("phishing", "legit"):
        folder = workspace.root / "emails" / label
        if not folder.is_dir():
            lines.append(f"emails/{label}: no demo mail")
            continue
        verdicts = list(scorer.score_paths([folder]))
        expected = truth.get(label) if truth else None
        names = {Path(v.file).name for v in verdicts}
        planted = expected & names if expected is not None else names
        flagged = [v for v in verdicts if v.verdict != "clean" and Path(v.file).name in planted]
        wrong = len(planted) - len(flagged) if label == "phishing" else len(flagged)
        failed = failed or wrong > 0
        figures[label] = {
            "emails": len(planted),
            "flagged": len(flagged),
            "verdicts": dict(Counter(v.verdict for v in verdicts)),
            "reasons": dict(_top_reasons(verdicts)),
        }
        what = "flagged" if label == "phishing" else "flagged (should be none)"
        lines.append(f"{label}: {len(flagged)} of {len(planted)} {what}{_reasons(verdicts)}")
        if label == "phishing":
            missed = sorted(Path(v.file).name for v in verdicts if v.verdict == "clean")
            if missed:
                lines.append(f"missed: {', '.join(missed[:5])}")
    return StageOutcome("failed" if failed else "done", lines, figures)


def _truth(root: Path) -> dict[str, set[str]] | None:
    """File names per label from ``truth.json`` (entries: names, paths or objects)."""
    try:
        data: Any = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    emails = data.get("emails") if isinstance(data, dict) else None
    if not isinstance(emails, dict):
        return None
    result: dict[str, set[str]] = {}
    for label in ("phishing", "legit"):
        names = set()
        for entry in emails.get(label) or []:
            if isinstance(entry, dict):
                entry = entry.get("file") or entry.get("path") or entry.get("name") or ""
            if isinstance(entry, str) and entry:
                names.add(Path(entry).name)
        result[label] = names
    return result


def _top_reasons(verdicts: list[Verdict]) -> list[tuple[str, int]]:
    counts = Counter(r.signal for v in verdicts if v.verdict != "clean" for r in v.reasons)
    return counts.most_common(4)


def _reasons(verdicts: list[Verdict]) -> str:
    top = _top_reasons(verdicts)
    return f" (most often: {', '.join(name for name, _ in top)})" if top else ""
