"""Templates in every language: the person's categories, California's headings, GDPR content."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from breachdesk.law import packaged_rules
from breachdesk.model import CATEGORY_INFO, Category
from breachdesk.notify import LANGUAGES, language_of
from breachdesk.notify.catalog import SOURCE_LANGUAGE, catalogue_ids, translations
from breachdesk.notify.content import HEADINGS, TITLE, Letterhead, Recipient, notice_content
from breachdesk.notify.render import render_html, render_text

SRC = Path(__file__).resolve().parents[2] / "src" / "breachdesk" / "notify"
LETTERHEAD = Letterhead(
    "Maison Aurelle SAS",
    "Maison Aurelle",
    "dpo@maison-aurelle.com",
    "maison-aurelle.com",
    aware_at=datetime(2026, 11, 3, tzinfo=UTC),
    authorities={"FR": "CNIL"},
)
CATS = frozenset({Category.CONTACT_NAME, Category.CONTACT_EMAIL, Category.FINANCIAL_CARD_NUMBER})


def _msgids() -> set[str]:
    ids: set[str] = set()
    for path in SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                ids.add(node.args[0].value)
    ids |= {TITLE, *HEADINGS} | {info.label for info in CATEGORY_INFO.values()}
    return ids


@pytest.mark.parametrize("language", [x for x in LANGUAGES if x != SOURCE_LANGUAGE])
def test_catalogue_translates_every_message(language: str) -> None:
    missing = _msgids() - catalogue_ids(language)
    assert not missing, f"{language} lacks {sorted(missing)[:3]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_notice_renders_person_categories_in_language(language: str) -> None:
    t = translations(language)
    content = notice_content(
        LETTERHEAD, Recipient("a" * 32, language, "Anna", CATS, ("FR",), "7KQM-3XJD-9PRA-WT4C")
    )
    text, html = render_text(content), render_html(content)
    for category in CATS:
        label = t.gettext(category.info.label)
        assert label in text
        assert label in html
    assert t.gettext(Category.LOCATION_CITY.info.label) not in text.split(t.gettext(HEADINGS[2]))[0]
    assert "7KQM-3XJD-9PRA-WT4C" in text
    assert "maison-aurelle.com/verify" in text
    assert "CNIL" in text
    assert "dpo@maison-aurelle.com" in text
    assert "href" not in html


def test_english_notice_has_californias_title_and_headings_in_order() -> None:
    ca = next(e.rules for e in packaged_rules() if e.jurisdiction.code == "US-CA")
    assert (TITLE, list(HEADINGS)) == (ca.notice_title, ca.notice_headings)
    text = render_text(
        notice_content(LETTERHEAD, Recipient("a" * 32, "en", None, CATS, ("US-CA",), "X"))
    )
    positions = [text.index(h) for h in [TITLE, *HEADINGS]]
    assert positions == sorted(positions)


def test_notice_has_gdpr_art_34_content() -> None:
    text = render_text(
        notice_content(LETTERHEAD, Recipient("a" * 32, "en", None, CATS, ("FR",), "X"))
    )
    assert "unauthorised person had gained access" in text  # nature of the breach
    assert "dpo@maison-aurelle.com" in text  # contact point, 33(3)(b)
    assert "What this may mean for you" in text
    assert "payment details" in text
    assert "closed the access" in text  # measures, (d)
    assert "never ask you for your password" in text
    assert "know your" in text


def test_links_only_when_allowed() -> None:
    linked = Letterhead(**{**LETTERHEAD.__dict__, "allow_links": True})
    html = render_html(notice_content(linked, Recipient("a" * 32, "en", None, CATS, (), "X")))
    assert 'href="https://maison-aurelle.com/verify"' in html


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [
        ("fr-CH", "fr"),
        ("de_DE", "de"),
        ("ja-JP", "ja"),
        ("pt-BR", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_language_of_falls_back(preferred: str | None, expected: str) -> None:
    assert language_of(preferred) == expected
