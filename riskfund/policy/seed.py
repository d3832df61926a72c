"""Reference data seeded at bootstrap: the 2021 policy version, the LPR table, the SME standard.

``seed_reference_data`` is idempotent: a row that exists (by its natural key) is left as it is, so running it
twice, or after an admin has edited a figure, changes nothing. The CSV files live in
``settings.SHARED_DATA_DIR`` (``riskfund/policy/data``); amounts are parsed with ``Decimal``, never float.
"""

import csv
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from .models import IndustryStandard, LprRate, Measure, PolicyVersion
from .services import policy_version_validate

# art. 40: "本办法自印发之日起施行，有效期5年" — in force from 2021-04-30 for five years, i.e. through 2026-04-29.
POLICY_2021 = {
    "code": "2021",
    "title": "包头市中小微企业助保金贷款管理办法（修订）",
    "document_no": "包府办发〔2021〕49号",
    "effective_from": date(2021, 4, 30),
    "effective_to": date(2026, 4, 29),
}
# issued (印发) and so in force on its first day (art. 40); every parameter takes the model default (SPEC §2)
POLICY_2021_APPROVED_AT = datetime.combine(date(2021, 4, 30), time(0, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


def _data_dir() -> Path:
    return Path(settings.SHARED_DATA_DIR)


def _rows(name: str) -> list[dict[str, str]]:
    with (_data_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _decimal(value: str, *, where: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{where}: not a number: {value!r}") from exc


def seed_policy_2021() -> bool:
    """The 2021 revision (包府办发〔2021〕49号, art. 40), approved; True when it was created."""
    if PolicyVersion.objects.filter(code=POLICY_2021["code"]).exists():
        return False
    version = PolicyVersion(**POLICY_2021, approved_at=POLICY_2021_APPROVED_AT)
    policy_version_validate(version)
    version.save()
    return True


def seed_lpr() -> int:
    """The one-year LPR table (art. 22 (三)); returns the number of rows created."""
    created = 0
    for row in _rows("lpr-1y.csv"):
        day = date.fromisoformat(row["effective_on"].strip())
        rate = _decimal(row["rate_percent"], where=f"lpr-1y.csv {day}")
        if rate is None:
            raise ValueError(f"lpr-1y.csv {day}: the rate is missing")
        _, was_created = LprRate.objects.get_or_create(effective_on=day, defaults={"rate_percent": rate})
        created += was_created
    return created


def seed_industry_standards() -> int:
    """The SME standard 工信部联企业〔2011〕300号 (art. 4); returns the number of rows created."""
    created = 0
    measures = set(Measure.values)
    for row in _rows("sme-standard-2011.csv"):
        code = row["code"].strip()
        fields = {"name_zh": row["name_zh"].strip(), "name_en": row["name_en"].strip()}
        for key in ("measure_1", "measure_2"):
            value = row[key].strip()
            if value and value not in measures:
                raise ValueError(f"sme-standard-2011.csv {code}: unknown measure {value!r}")
            fields[key] = value
        for key in ("sme_below", "medium_from", "small_from"):
            for n in (1, 2):
                fields[f"{key}_{n}"] = _decimal(row[f"{key}_{n}"], where=f"sme-standard-2011.csv {code} {key}_{n}")
        _, was_created = IndustryStandard.objects.get_or_create(code=code, defaults=fields)
        created += was_created
    return created


def seed_reference_data() -> dict[str, int]:
    """Seed everything this app owns, in one transaction; returns how many rows of each kind were created."""
    with transaction.atomic():
        return {
            "policy_versions": int(seed_policy_2021()),
            "lpr_rates": seed_lpr(),
            "industry_standards": seed_industry_standards(),
        }
