"""The house's catalogue: a few hundred products with French names, SKUs and URL slugs."""

from __future__ import annotations

import random
from dataclasses import dataclass

from breachdesk.demo.pools import ascii_fold
from breachdesk.demo.seeding import py_stream

# category: (SKU code, item kinds, price range in euros)
_CATALOGUE: dict[str, tuple[str, tuple[str, ...], tuple[int, int]]] = {
    "bags": ("BAG", ("Sac", "Cabas", "Pochette", "Besace", "Sac seau"), (1900, 8900)),
    "small-leather-goods": ("SLG", ("Portefeuille", "Porte-cartes", "Étui"), (390, 990)),
    "jewellery": ("JWL", ("Bague", "Collier", "Bracelet", "Boucles d'oreilles"), (890, 24000)),
    "watches": ("WTC", ("Montre",), (4200, 38000)),
    "scarves": ("SCF", ("Carré de soie", "Étole", "Foulard"), (350, 1200)),
    "fragrance": ("FRG", ("Eau de parfum", "Extrait", "Bougie parfumée"), (120, 420)),
    "shoes": ("SHO", ("Escarpins", "Mocassins", "Ballerines", "Bottines"), (690, 1600)),
    "ready-to-wear": ("RTW", ("Manteau", "Veste", "Robe", "Chemise"), (980, 6800)),
}
_MODELS = (
    "Héloïse",
    "Aurore",
    "Céleste",
    "Margaux",
    "Solène",
    "Victoire",
    "Iris",
    "Olympe",
    "Camille",
    "Bérénice",
    "Joséphine",
    "Alma",
    "Léonie",
    "Romy",
    "Capucine",
)
_FINISHES = (
    "en cuir grainé",
    "en veau velours",
    "en toile monogramme",
    "or jaune 18 carats",
    "or rose",
    "en soie imprimée",
    "en cachemire",
    "édition limitée",
    "noir",
    "ivoire",
)


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    slug: str  # the product page's URL name, from the name and the SKU


def _slug(name: str, sku: str) -> str:
    words = [ascii_fold(word) for word in name.split()]
    return "-".join(w for w in words if w) + "-" + sku.lower()


def make_products(seed: int, count: int = 240) -> list[Product]:
    rng = py_stream(seed, "products")
    categories = list(_CATALOGUE)
    products = []
    for index in range(count):
        category = categories[index % len(categories)]
        code, kinds, (low, high) = _CATALOGUE[category]
        name = f"{rng.choice(kinds)} {rng.choice(_MODELS)} {rng.choice(_FINISHES)}"
        price = rng.randint(low, high) * 100 // 10 * 10
        sku = f"MA-{code}-{index + 1:04d}"
        products.append(Product(index + 1, sku, name, category, price, _slug(name, sku)))
    return products


class Catalogue:
    def __init__(self, products: list[Product]):
        self.products = products
        self.categories = sorted({p.category for p in products})

    def product_page(self, rng: random.Random, lang: str) -> tuple[str, Product]:
        product = self.products[
            min(int(rng.paretovariate(1.2)) - 1, len(self.products) - 1)
            if rng.random() < 0.5
            else rng.randrange(len(self.products))
        ]
        return f"/{lang}/products/{product.slug}", product

    def collection_page(self, rng: random.Random, lang: str) -> tuple[str, str]:
        category = rng.choice(self.categories)
        return f"/{lang}/collections/{category}", category
