"""Fuzzing: 10,000 generated hostile messages in all (deep MIME nesting, tens of thousands
of parts, megabyte headers, invalid charsets, NULs, random bytes, hostile header values).

No message may crash the parser or the scorer, break a cap, or run out of its time cap
(2 s a message; the caps keep each one to milliseconds, see test_parse.py for the clock).
"""

from __future__ import annotations

from types import ModuleType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.phishing import SIGNALS, Limits, PhishingScorer, parse_message
from breachdesk.phishing.headers import decode_header_value, parse_mailboxes

# Smaller part caps than the default make each example cheap; the cap code is the same.
# test_parse.py checks the default caps on 50,000 parts and 5,000 levels of nesting.
LIMITS = Limits(max_parts=40, max_multiparts=16, max_depth=10)
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHARSETS = [
    b"utf-8",
    b"iso-8859-1",
    b"x-unknown",
    b"rot13",
    b"punycode",
    b"zlib",
    b"unicode_escape",
    b"utf-7",
    b"iso-2022-jp",
    b"utf-8*fr",
    b"",
    b'"; boundary="o',
]
FROMS = [
    b"Maison Aurelle <service@maison-aurelle.com>",
    b"=?utf-8?b?TWFpc29uIEF1cmVsbGU=?= <service@xn--maison-aurlle-53k.com>",
    b'"service@maison-aurelle.com" <a@evil.top>',
    b"a@b@c@d",
    b"<<<>>>",
    b'"unterminated <x@y.z>',
    b"(((((nested comment)))) x@y.z",
    b"=?x-bad?q?=FF=FE?= <@route,@r2:user@host.example>",
]

hostile_parameters = st.fixed_dictionaries(
    {
        "depth": st.sampled_from([0, 1, 2, 3, 5, 8, 13, 30, 100]),
        "parts": st.sampled_from([0, 1, 2, 3, 5, 20, 50, 400]),
        "header_size": st.sampled_from([0, 0, 0, 0, 0, 200, 70_000, 1_100_000]),
        "charset": st.sampled_from(CHARSETS),
        "encoding": st.sampled_from([b"base64", b"quoted-printable", b"7bit", b"x-uue", b""]),
        "nul_every": st.sampled_from([0, 0, 0, 3, 64, 4_096]),
        "reuse_boundary": st.booleans(),
        "tail": st.sampled_from(
            [b"", b"--o\r\nContent-Type: text/html\r\n\r\n<a href=x>", b"\x00"]
        ),
        "from_value": st.sampled_from(FROMS),
        "body": st.binary(max_size=300),
    }
)


def _check(parsed: object) -> None:
    assert parsed.parts <= LIMITS.max_parts  # type: ignore[attr-defined]
    assert parsed.depth <= LIMITS.max_depth  # type: ignore[attr-defined]
    assert len(parsed.text) <= LIMITS.max_text_chars  # type: ignore[attr-defined]
    assert not parsed.timed_out  # type: ignore[attr-defined]


@settings(FUZZ, max_examples=2_000)
@given(hostile_parameters)
def test_fuzz_hostile_structures_parse_within_caps(hostile: ModuleType, params: dict) -> None:
    data = hostile.assemble(**params)
    _check(parse_message(data, LIMITS))


@settings(FUZZ, max_examples=1_500)
@given(hostile_parameters)
def test_fuzz_hostile_structures_score(
    hostile: ModuleType, scorer: PhishingScorer, params: dict
) -> None:
    small = PhishingScorer(scorer.context, scorer.weights, LIMITS)
    verdict = small.score_bytes(hostile.assemble(**params), "fuzz.eml")
    assert 0 <= verdict.score <= 100
    assert verdict.verdict in ("phishing", "suspicious", "clean")
    for reason in verdict.reasons:
        assert reason.signal in SIGNALS
        assert not set(reason.evidence) & {"\n", "\r", "\x00"}


@settings(FUZZ, max_examples=3_500)
@given(
    st.sampled_from(
        [
            b"",
            b"From: a@example.org\r\n\r\n",
            b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            b"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n",
        ]
    ),
    st.binary(max_size=3_000),
)
def test_fuzz_random_bytes(scorer: PhishingScorer, head: bytes, noise: bytes) -> None:
    data = head + noise
    parsed = parse_message(data, LIMITS)
    _check(parsed)
    assert 0 <= scorer.score_bytes(data).score <= 100


@settings(FUZZ, max_examples=3_000)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(list('<>"(),;:@\\=?_ \r\n\t\x00')),
        ),
        max_size=200,
    ),
    st.lists(st.sampled_from(["=?utf-8?q?", "=?utf-8?b?", "?=", "=0A", "=0D", "xn--"])),
)
def test_fuzz_header_values(scorer: PhishingScorer, text: str, tokens: list[str]) -> None:
    value = "".join(tokens) + text + "".join(reversed(tokens))
    anomalies: set[str] = set()
    decoded = decode_header_value(value, anomalies)
    assert not set(decoded) & {"\n", "\r", "\x00"}
    for box in parse_mailboxes(decoded, anomalies):
        assert box.domain is None or box.domain.isascii()
    raw = value.encode("utf-8", "surrogatepass")
    header = raw.replace(b"\r", b" ").replace(b"\n", b" ")
    data = b"From: " + header + b"\r\nReply-To: " + header + b"\r\nSubject: " + header
    verdict = scorer.score_bytes(data + b"\r\n\r\nbody\r\n")
    assert verdict.verdict in ("phishing", "suspicious", "clean")
