"""Locale-matched customers, made batch by batch from the Faker pools and the places table.

Only the set of emails already used is kept across batches (addresses must be unique).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from breachdesk.demo.places import COUNTRIES, COUNTRY_INDEX, Place, load_places
from breachdesk.demo.pools import LanguagePool, NamePool, build_pools
from breachdesk.demo.seeding import np_stream, py_stream

CANARY_DOMAIN = "courrier-saintonge.fr"
SHOP_OPENED = np.datetime64("2017-03-01T00:00:00", "s")


@dataclass
class CustomerBatch:
    """Rows of ``customers`` for ids ``start`` .. ``start + len(rows) - 1``."""

    start: int
    rows: list[tuple[object, ...]]
    country: np.ndarray  # index into COUNTRIES, one per row
    language: list[str]
    created: np.ndarray  # datetime64[s]


class CustomerMaker:
    """Makes customers 1..n batch by batch; only the set of used emails is kept."""

    def __init__(self, seed: int, count: int, end: np.datetime64, canaries: dict[int, str]):
        self.seed = seed
        self.count = count
        self.end = end
        self.canaries = canaries
        self.pools = build_pools(seed)
        self.places: list[Place] = load_places()
        country_weight = {c.code: c.weight for c in COUNTRIES}
        totals: dict[str, float] = {}
        for place in self.places:
            totals[place.country] = totals.get(place.country, 0.0) + place.weight
        probs = np.array(
            [country_weight[p.country] * p.weight / totals[p.country] for p in self.places]
        )
        self.place_probs = probs / probs.sum()
        self._emails: set[str] = set()

    def created_times(self, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Sign-up times growing with the id: the shop gains more customers every year."""
        span = (self.end - SHOP_OPENED).astype(np.int64)
        share = ((ids - 0.5) / self.count) ** 0.6
        jitter = rng.integers(-6 * 3600, 6 * 3600, size=len(ids))
        offsets = np.clip((share * span).astype(np.int64) + jitter, 0, span - 7200)
        times: np.ndarray = SHOP_OPENED + offsets.astype("timedelta64[s]")
        return times

    def batches(self, size: int = 20_000) -> Iterator[CustomerBatch]:
        for number, start in enumerate(range(1, self.count + 1, size)):
            yield self._batch(number, start, min(size, self.count - start + 1))

    def _batch(self, number: int, start: int, size: int) -> CustomerBatch:
        rng = np_stream(self.seed, "customers", number)
        prng = py_stream(self.seed, "customers", number)
        ids = np.arange(start, start + size, dtype=np.int64)
        place_idx = rng.choice(len(self.places), size=size, p=self.place_probs)
        name_pick = rng.random(size)
        first_idx = rng.integers(0, 1 << 30, size=size)
        last_idx = rng.integers(0, 1 << 30, size=size)
        pattern = rng.integers(0, 8, size=size)
        numbers = rng.integers(1, 100, size=size)
        years = rng.integers(55, 105, size=size) % 100
        phone_digits = rng.integers(0, 10_000, size=size)
        pick = rng.integers(0, 1 << 30, size=(size, 2))
        opt_in = rng.random(size) < 0.45
        created = self.created_times(ids, rng)
        changed = rng.random(size) < 0.35
        later = (rng.random(size) * (self.end - created).astype(np.int64)).astype(np.int64)
        updated = created + np.where(changed, later, 0).astype("timedelta64[s]")
        created_text = np.datetime_as_string(created, unit="s").tolist()
        updated_text = np.datetime_as_string(updated, unit="s").tolist()
        rows: list[tuple[object, ...]] = []
        languages: list[str] = []
        for i in range(size):
            place = self.places[place_idx[i]]
            pool = self.pools[place.language]
            names = pool.names[0]
            if len(pool.names) > 1 and name_pick[i] >= pool.name_weights[0]:
                names = pool.names[1]
            fi, li = int(first_idx[i]), int(last_idx[i])
            full_name = names.full_name(fi, li)
            customer_id = start + i
            email = self._email(
                names,
                fi,
                li,
                int(pattern[i]),
                int(numbers[i]),
                int(years[i]),
                pool,
                int(pick[i, 0]),
                customer_id,
            )
            digits = f"{int(phone_digits[i]):04d}"
            phone = pool.phones[int(pick[i, 1]) % len(pool.phones)].format(*digits)
            rows.append(
                (
                    customer_id,
                    full_name,
                    email,
                    phone,
                    place.city,
                    place.region,
                    place.postcode(prng),
                    place.country,
                    place.language,
                    created_text[i] + "Z",
                    updated_text[i] + "Z",
                    int(opt_in[i]),
                )
            )
            languages.append(place.language)
        country = np.array([COUNTRY_INDEX[self.places[p].country] for p in place_idx], np.uint8)
        return CustomerBatch(start, rows, country, languages, created)

    def _email(
        self,
        names: NamePool,
        fi: int,
        li: int,
        pattern: int,
        number: int,
        year: int,
        pool: LanguagePool,
        pick: int,
        customer_id: int,
    ) -> str:
        first = names.first_ascii[fi % len(names.first_ascii)] or "client"
        last = names.last_ascii[li % len(names.last_ascii)] or "client"
        if customer_id in self.canaries:
            domain = CANARY_DOMAIN
            pattern = 0
        else:
            domain = pool.domains[pick % len(pool.domains)]
            if pick % 10 < 3:  # about one customer in three uses Gmail, wherever they live
                domain = "gmail.com"
        local = (
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}{last}",
            f"{first}_{last}",
            f"{first}.{last}{number}",
            f"{last}.{first}",
            f"{first}{year:02d}",
            f"{first[0]}.{last}{number}",
        )[pattern]
        email = f"{local}@{domain}"
        extra = 1
        while email in self._emails:
            extra += 1
            email = f"{local}{extra}@{domain}"
        self._emails.add(email)
        if customer_id in self.canaries:
            self.canaries[customer_id] = email
        return email
