from __future__ import annotations

from pathlib import Path

from breachdesk.inventory import render_html, scan_sources, write_html


def test_html_report_escapes_hostile_names(tmp_path: Path) -> None:
    csv = tmp_path / "<script>alert(1)<\u2044script>.csv"
    csv.write_text(
        '"<img src=x onerror=alert(1)>",email\n1,a@b.example\n2,c@d.example\n3,e@f.example\n'
    )
    report = scan_sources([str(csv)], examples=True)
    html = render_html(report)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html
    assert "<script>alert" not in html
    assert "contact.email" in html


def test_write_html_creates_the_file(tmp_path: Path, contract_db: Path) -> None:
    out = write_html(scan_sources([str(contract_db)], sample=20), tmp_path / "r" / "inv.html")
    text = out.read_text(encoding="utf-8")
    assert "pan-readable" in text
    assert "PCI DSS v4.0.1, Requirement 3.5.1" in text
