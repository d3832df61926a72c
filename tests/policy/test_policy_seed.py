"""Reference data seeded at bootstrap (API.md `bootstrap`): idempotent; the LPR in force on a date (art. 22)."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from riskfund.policy.models import IndustryStandard, LprRate, PolicyVersion
from riskfund.policy.seed import seed_reference_data
from riskfund.policy.selectors import lpr_on, policy_in_force

D = Decimal


def counts():
    return (PolicyVersion.objects.count(), LprRate.objects.count(), IndustryStandard.objects.count())


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_rows():
    assert seed_reference_data() == {"policy_versions": 1, "lpr_rates": 13, "industry_standards": 16}
    assert counts() == (1, 13, 16)
    assert seed_reference_data() == {"policy_versions": 0, "lpr_rates": 0, "industry_standards": 0}
    assert counts() == (1, 13, 16)


@pytest.mark.django_db
def test_the_2021_version_with_every_default():
    seed_reference_data()
    version = PolicyVersion.objects.get(code="2021")
    assert version.title == "包头市中小微企业助保金贷款管理办法（修订）"
    assert version.document_no == "包府办发〔2021〕49号"
    assert (version.effective_from, version.effective_to) == (date(2021, 4, 30), date(2026, 4, 29))
    assert version.approved_at is not None
    assert version.loss_weights == (40, 20, 40)
    assert version.split_weights == (30, 30, 40)
    assert version.pool_leverage == 10
    assert version.district_scale_cap == 25
    assert version.compensation_trigger_days == 25
    assert version.suspension_threshold == D("0.2")
    assert version.district_min_injection == D("8000000.00")
    assert version.district_reduced_min_injection == D("4000000.00")
    assert version.initial_deposit == D("1000000.00")
    assert version.enterprise_max_outstanding == D("10000000.00")
    assert version.notice_working_days == 3
    assert version.deposit_return_working_days == 10
    assert version.registration_prefix == "1502"
    assert policy_in_force(date(2025, 6, 1)) == version


@pytest.mark.django_db
def test_seeding_again_keeps_admin_edits():
    seed_reference_data()
    LprRate.objects.filter(effective_on=date(2025, 5, 20)).update(rate_percent=D("2.9900"))
    IndustryStandard.objects.filter(code="retail").update(name_zh="零售")
    seed_reference_data()
    assert LprRate.objects.get(effective_on=date(2025, 5, 20)).rate_percent == D("2.9900")
    assert IndustryStandard.objects.get(code="retail").name_zh == "零售"


def test_the_data_ship_with_the_app():
    names = {p.name for p in settings.SHARED_DATA_DIR.iterdir()}
    assert {"README.md", "lpr-1y.csv", "sme-standard-2011.csv", "baotou-districts.csv"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2019, 8, 19), None),
        (date(2019, 8, 20), D("4.25")),
        (date(2021, 4, 30), D("3.85")),
        (date(2024, 10, 20), D("3.35")),
        (date(2024, 10, 21), D("3.10")),
        (date(2025, 5, 19), D("3.10")),
        (date(2025, 5, 20), D("3.00")),
        (date(2026, 1, 1), D("3.00")),
    ],
)
def test_lpr_on_is_the_latest_publication_on_or_before(day, rate):
    seed_reference_data()
    found = lpr_on(day)
    assert found == rate
    if rate is not None:
        assert isinstance(found, Decimal)
