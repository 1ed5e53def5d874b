"""``truth.json``: what really happened in the generated data, for tests and the demo.

Later stages (detection, scope, inventory, phishing) are checked against it: the attack's
window, principals and addresses; exactly whose rows it returned and which categories of
data; the canaries; the planted segmentation breaks; which mails are phishing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from breachdesk.demo.clock import iso_utc
from breachdesk.model import Category

COLUMN_CATEGORIES: dict[str, Category] = {
    "id": Category.ACCOUNT_ID,
    "full_name": Category.CONTACT_NAME,
    "email": Category.CONTACT_EMAIL,
    "city": Category.LOCATION_CITY,
    "region": Category.LOCATION_REGION,
    "country": Category.LOCATION_COUNTRY,
}


@dataclass(frozen=True)
class SegmentationBreak:
    table: str
    columns: tuple[str, ...]
    rule: str


# Only what was planted: the segmented tables (credentials, payment_methods) never appear.
LEGACY = "marketing_export_2019"
SEGMENTATION_BREAKS: tuple[SegmentationBreak, ...] = (
    SegmentationBreak(LEGACY, ("card_number",), "pan-readable"),
    SegmentationBreak(LEGACY, ("cvv",), "cvv-stored"),
    SegmentationBreak(LEGACY, ("password",), "password-plaintext"),
    SegmentationBreak(LEGACY, ("password",), "password-weak-hash"),
    SegmentationBreak(
        LEGACY, ("full_name", "email", "card_number", "cvv", "card_expiry"), "payment-with-contact"
    ),
    SegmentationBreak(LEGACY, ("full_name", "email", "password"), "credentials-with-contact"),
    SegmentationBreak(LEGACY, ("full_name", "email", "birth_date"), "personal-data-copied"),
)


@dataclass(frozen=True)
class Truth:
    seed: int
    start_ms: int
    end_ms: int
    principals: tuple[str, ...]
    ips: tuple[str, ...]
    customer_ids: tuple[int, ...]
    columns: tuple[str, ...]
    canaries: tuple[int, ...]
    phishing: tuple[str, ...]
    legit: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        # The window is given to the second, wide enough to hold nginx's whole-second stamps.
        start = self.start_ms // 1000 * 1000
        end = -(-self.end_ms // 1000) * 1000
        categories = sorted({COLUMN_CATEGORIES[c].value for c in self.columns})
        return {
            "seed": self.seed,
            "attack": {
                "start": iso_utc(start).replace(".000Z", "Z"),
                "end": iso_utc(end).replace(".000Z", "Z"),
                "principals": list(self.principals),
                "ips": list(self.ips),
            },
            "affected": {"customer_ids": list(self.customer_ids), "categories": categories},
            "canaries": list(self.canaries),
            "segmentation_breaks": [
                {"table": b.table, "columns": list(b.columns), "rule": b.rule}
                for b in SEGMENTATION_BREAKS
            ],
            "emails": {"phishing": list(self.phishing), "legit": list(self.legit)},
        }

    def write(self, path: Path) -> None:
        """Indented for people, with the (long) id list kept on one line."""
        data = self.to_dict()
        affected = data["affected"]
        assert isinstance(affected, dict)
        ids = affected["customer_ids"]
        affected["customer_ids"] = "@IDS@"
        text = json.dumps(data, indent=2, ensure_ascii=False)
        text = text.replace('"@IDS@"', json.dumps(ids, separators=(",", ":")))
        path.write_text(text + "\n", encoding="utf-8")
