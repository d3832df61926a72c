"""The generated Baotou enterprises: valid USCCs (``91`` + district code, chars 3–6 ``1502``, + serial + the GB 32100
check char), spread over the districts by ``DISTRICT_WEIGHTS``, each a copy of one of the size templates."""

from datetime import date, timedelta
from decimal import Decimal

from riskfund.policy.sme import classify_size
from riskfund.policy.uscc import uscc_check_char

from .bulk import BulkWriter
from .tables import fen

# (industry, employees, revenue yuan, total assets yuan): templates whose size class is computed once
ENTERPRISE_TEMPLATES = [
    ("industry", 120, 45_000_000, 30_000_000),
    ("industry", 35, 8_000_000, 6_000_000),
    ("wholesale", 15, 12_000_000, 4_000_000),
    ("retail", 25, 6_000_000, 2_000_000),
    ("software_it", 40, 9_000_000, 5_000_000),
    ("transport", 60, 15_000_000, 20_000_000),
]
DISTRICT_WEIGHTS = {
    "150202": 14,
    "150203": 20,
    "150204": 14,
    "150205": 3,
    "150206": 2,
    "150207": 12,
    "150221": 8,
    "150222": 6,
    "150223": 4,
    "150271": 17,
}


def uscc(serial: int, district: str) -> str:
    first17 = f"91{district}{serial:09d}"
    return first17 + uscc_check_char(first17)


def add_enterprises(book, writer: BulkWriter, count: int, *, serial_from: int = 1) -> None:
    """Write ``count`` enterprises of the ``LoanBook`` ``book`` and remember each (id, district) for its loans."""
    districts = list(DISTRICT_WEIGHTS)
    weights = list(DISTRICT_WEIGHTS.values())
    templates = [
        (
            industry,
            employees,
            fen(revenue * 100),
            fen(assets * 100),
            classify_size(
                industry=industry, employees=employees, revenue=Decimal(revenue), total_assets=Decimal(assets)
            ),
        )
        for industry, employees, revenue, assets in ENTERPRISE_TEMPLATES
    ]
    created = book.stamp(book.as_of - timedelta(days=800))
    for serial in range(serial_from, serial_from + count):
        district = book.rng.choices(districts, weights)[0]
        industry, employees, revenue, assets, size = templates[serial % len(templates)]
        ident = book.uuid()
        established = date(2005 + serial % 15, 1 + serial % 12, 1 + serial % 28)
        writer.add(
            book.t.enterprise,
            (
                ident,
                uscc(serial, district),
                f"包头样本企业{serial:07d}有限公司",
                district,
                industry,
                employees,
                revenue,
                assets,
                established,
                size,
                False,
                None,
                "",
                created,
                created,
            ),
        )
        book.enterprises.append((ident, district))
