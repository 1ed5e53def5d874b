"""Message catalogues: the notice's words in each language, read from Babel ``.po`` files.

The ``.po`` files ship in ``notify/locale/<lang>/LC_MESSAGES/notify.po`` and are compiled in
memory on first use (no build step, no network); English is the source language.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "fr", "de", "it", "es", "ja")
DOMAIN = "notify"


def language_of(preferred: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """The notice language for a person's preference (``fr-CH`` → ``fr``); else ``default``."""
    if preferred:
        primary = preferred.replace("_", "-").split("-", 1)[0].strip().lower()
        if primary in LANGUAGES:
            return primary
    fallback = default.split("-", 1)[0].lower()
    return fallback if fallback in LANGUAGES else SOURCE_LANGUAGE


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (one of LANGUAGES); English is the identity."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    if language not in LANGUAGES:
        raise ValueError(f"no notice catalogue for language {language!r}")
    path = resources.files("breachdesk.notify").joinpath(
        "locale", language, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def catalogue_ids(language: str) -> set[str]:
    """The message ids a language's ``.po`` file translates (for completeness checks)."""
    path = resources.files("breachdesk.notify").joinpath(
        "locale", language, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    return {str(m.id) for m in catalog if m.id and m.string}
