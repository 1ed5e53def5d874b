"""Lookalike domains of the brand's domains, made offline by dnstwist's ``Fuzzer``.

Only the permutation engine is used: dnstwist's ``run()`` rewrites ``sys.argv`` and asks DNS,
and Breachdesk never resolves anything. Every permutation is kept in IDNA form.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.phishing.domains import to_idna
from breachdesk.phishing.fuzzer import Fuzzer

_WORD = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_TLD = re.compile(r"[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63}){0,2}")
MAX_WORDS = 10_000


@dataclass(frozen=True)
class Permutation:
    """One lookalike: its domain (IDNA form) and the dnstwist fuzzer that made it."""

    domain: str
    fuzzer: str


@dataclass(frozen=True)
class LookalikeSet:
    """The lookalikes of one domain."""

    domain: str
    permutations: tuple[Permutation, ...]

    def by_fuzzer(self) -> dict[str, int]:
        return dict(Counter(p.fuzzer for p in self.permutations).most_common())

    def to_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "permutations": [{"domain": p.domain, "fuzzer": p.fuzzer} for p in self.permutations],
        }


def generate_lookalikes(
    domain: str,
    *,
    dictionary: Sequence[str] | None = None,
    tlds: Sequence[str] | None = None,
) -> LookalikeSet:
    """Every permutation dnstwist's fuzzers make of ``domain`` (the domain itself excluded).

    ``dictionary`` adds combosquats (``maison-aurelle-support.com``) and ``tlds`` other
    top-level domains; None uses the bundled lists, an empty list uses none.
    """
    original = to_idna(domain)
    if original is None or "." not in original:
        raise UserInputError(f"not a domain name: {domain[:100]!r}")
    words = default_dictionary() if dictionary is None else list(dictionary)
    suffixes = default_tlds() if tlds is None else list(tlds)
    fuzzer = Fuzzer(original, dictionary=words, tld_dictionary=suffixes)
    fuzzer.generate()
    found: dict[str, str] = {}
    for item in fuzzer.permutations():
        name = to_idna(str(item["domain"]))
        if name and name != original and name not in found:
            found[name] = str(item["fuzzer"])
    permutations = tuple(Permutation(name, found[name]) for name in sorted(found))
    return LookalikeSet(original, permutations)


def read_word_file(path: Path, *, kind: str = "dictionary") -> list[str]:
    """Words (or TLDs with ``kind="tlds"``) one a line; ``#`` comments; bad lines are errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"no such {kind} file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read the {kind} file: {exc}", path=path) from None
    return parse_words(text.splitlines(), kind=kind, path=path)


def parse_words(lines: Iterable[str], *, kind: str, path: Path | str) -> list[str]:
    pattern = _TLD if kind == "tlds" else _WORD
    words: list[str] = []
    for number, line in enumerate(lines, 1):
        value = line.split("#", 1)[0].strip().lower().lstrip(".")
        if not value:
            continue
        ascii_value = to_idna(value) or ""
        if not pattern.fullmatch(ascii_value):
            raise InputFileError(
                f"not a valid {'top-level domain' if kind == 'tlds' else 'word'}: {value[:60]!r}",
                path=path,
                line=number,
            )
        words.append(ascii_value)
        if len(words) > MAX_WORDS:
            raise InputFileError(f"more than {MAX_WORDS:,} entries", path=path, line=number)
    return list(dict.fromkeys(words))


def _bundled(name: str, kind: str) -> list[str]:
    text = resources.files("breachdesk.phishing").joinpath("data", name).read_text("utf-8")
    return parse_words(text.splitlines(), kind=kind, path=f"breachdesk/phishing/data/{name}")


def default_dictionary() -> list[str]:
    """The bundled combosquatting words (``data/dictionary.txt``)."""
    return _bundled("dictionary.txt", "dictionary")


def default_tlds() -> list[str]:
    """The bundled top-level domains for the tld-swap fuzzer (``data/tlds.txt``)."""
    return _bundled("tlds.txt", "tlds")
