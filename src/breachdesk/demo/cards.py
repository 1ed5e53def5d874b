"""Payment card numbers for the legacy export: Luhn-valid, with real issuer prefixes.

The numbers are random, so they belong to nobody; their shape is what a scanner must catch.
"""

from __future__ import annotations

import random

# (brand, prefixes, length): Visa 4; Mastercard 51-55 and 2221-2720; Amex 34 and 37.
ISSUERS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("visa", ("4",), 16),
    ("mastercard", ("51", "52", "53", "54", "55", *(str(p) for p in range(2221, 2721))), 16),
    ("amex", ("34", "37"), 15),
)
_BRAND_WEIGHTS = (0.5, 0.35, 0.15)


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body`` + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled: these become odd positions once the check is added
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) > 1 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def make_card(rng: random.Random) -> tuple[str, str, str]:
    """(brand, PAN, CVV): a 4-digit CVV for Amex, 3 digits otherwise."""
    brand, prefixes, length = rng.choices(ISSUERS, weights=_BRAND_WEIGHTS)[0]
    if brand == "mastercard" and rng.random() < 0.7:
        prefix = rng.choice(prefixes[:5])  # 51-55 still dominate
    else:
        prefix = rng.choice(prefixes)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    cvv_length = 4 if brand == "amex" else 3
    cvv = "".join(str(rng.randrange(10)) for _ in range(cvv_length))
    return brand, body + luhn_check_digit(body), cvv
