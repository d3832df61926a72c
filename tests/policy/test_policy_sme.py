"""SME size class by 工信部联企业〔2011〕300号 (art. 4), at each boundary: "以上" includes the figure, "以下"
excludes it (data/README.md)."""

from decimal import Decimal

import pytest

from riskfund.errors import RuleViolation
from riskfund.policy.models import IndustryStandard
from riskfund.policy.seed import seed_industry_standards
from riskfund.policy.sme import classify_size

D = Decimal
X = D("0")  # a measure the industry does not use


@pytest.fixture
def standards(db):
    seed_industry_standards()


CASES = [
    # industry: employees < 1000 OR revenue < 400,000,000 -> SME; medium 300 & 20,000,000; small 20 & 3,000,000
    ("industry", 1000, "400000000", X, "large"),
    ("industry", 999, "400000000", X, "medium"),
    ("industry", 1000, "399999999.99", X, "medium"),
    ("industry", 5000, "20000000", X, "medium"),
    ("industry", 300, "20000000", X, "medium"),
    ("industry", 299, "20000000", X, "small"),
    ("industry", 300, "19999999.99", X, "small"),
    ("industry", 20, "3000000", X, "small"),
    ("industry", 19, "3000000", X, "micro"),
    ("industry", 20, "2999999.99", X, "micro"),
    ("industry", 2000, "2999999.99", X, "micro"),  # many staff, little revenue: micro ("或")
    # retail: 300 / 200,000,000; medium 50 & 5,000,000; small 10 & 1,000,000
    ("retail", 300, "200000000", X, "large"),
    ("retail", 299, "200000000", X, "medium"),
    ("retail", 300, "199999999.99", X, "medium"),
    ("retail", 50, "5000000", X, "medium"),
    ("retail", 49, "5000000", X, "small"),
    ("retail", 50, "4999999.99", X, "small"),
    ("retail", 10, "1000000", X, "small"),
    ("retail", 9, "1000000", X, "micro"),
    ("retail", 10, "999999.99", X, "micro"),
    # software and IT: 300 / 100,000,000; medium 100 & 10,000,000; small 10 & 500,000
    ("software_it", 300, "100000000", X, "large"),
    ("software_it", 299, "100000000", X, "medium"),
    ("software_it", 100, "10000000", X, "medium"),
    ("software_it", 99, "10000000", X, "small"),
    ("software_it", 100, "9999999.99", X, "small"),
    ("software_it", 10, "500000", X, "small"),
    ("software_it", 9, "500000", X, "micro"),
    ("software_it", 10, "499999.99", X, "micro"),
    # construction: revenue 800,000,000 / assets 800,000,000; medium 60,000,000 & 50,000,000; small 3,000,000 both
    ("construction", 0, "800000000", D("800000000"), "large"),
    ("construction", 100000, "799999999.99", D("800000000"), "medium"),
    ("construction", 0, "800000000", D("799999999.99"), "medium"),
    ("construction", 0, "60000000", D("50000000"), "medium"),
    ("construction", 0, "59999999.99", D("50000000"), "small"),
    ("construction", 0, "60000000", D("49999999.99"), "small"),
    ("construction", 0, "3000000", D("3000000"), "small"),
    ("construction", 0, "2999999.99", D("3000000"), "micro"),
    ("construction", 0, "3000000", D("2999999.99"), "micro"),
    # agriculture: revenue only; < 200,000,000 SME; medium 5,000,000; small 500,000 (assets never matter)
    ("agriculture", 0, "200000000", X, "large"),
    ("agriculture", 100000, "199999999.99", D("999999999999"), "medium"),
    ("agriculture", 0, "5000000", X, "medium"),
    ("agriculture", 0, "4999999.99", X, "small"),
    ("agriculture", 0, "500000", X, "small"),
    ("agriculture", 0, "499999.99", X, "micro"),
    ("agriculture", 0, "0", X, "micro"),
    # real estate: revenue 2,000,000,000 / assets 100,000,000; medium 10,000,000 & 50,000,000;
    # small 1,000,000 & 20,000,000
    ("real_estate", 0, "2000000000", D("100000000"), "large"),
    ("real_estate", 0, "2000000000", D("99999999.99"), "medium"),
    ("real_estate", 0, "1999999999.99", D("100000000"), "medium"),
    ("real_estate", 0, "10000000", D("50000000"), "medium"),
    ("real_estate", 0, "9999999.99", D("50000000"), "small"),
    ("real_estate", 0, "10000000", D("49999999.99"), "small"),
    ("real_estate", 0, "1000000", D("20000000"), "small"),
    ("real_estate", 0, "999999.99", D("20000000"), "micro"),
    ("real_estate", 0, "1000000", D("19999999.99"), "micro"),
    # leasing and business services: employees and assets (not revenue)
    ("leasing_business", 300, X, D("1200000000"), "large"),
    ("leasing_business", 100, D("999999999999"), D("80000000"), "medium"),
    ("leasing_business", 100, X, D("79999999.99"), "small"),
    # other industries: employees only
    ("other", 300, X, X, "large"),
    ("other", 299, X, X, "medium"),
    ("other", 100, X, X, "medium"),
    ("other", 99, X, X, "small"),
    ("other", 10, X, X, "small"),
    ("other", 9, X, X, "micro"),
]


@pytest.mark.parametrize(("industry", "employees", "revenue", "assets", "expected"), CASES)
def test_size_class_at_the_boundaries(standards, industry, employees, revenue, assets, expected):
    assert classify_size(industry=industry, employees=employees, revenue=D(revenue), total_assets=D(assets)) == expected


def test_every_industry_of_the_csv_is_seeded_with_exact_figures(standards):
    assert IndustryStandard.objects.count() == 16
    industry = IndustryStandard.objects.get(code="industry")
    assert (industry.measure_1, industry.measure_2) == ("employees", "revenue")
    assert industry.sme_below_2 == D("400000000")
    agriculture = IndustryStandard.objects.get(code="agriculture")
    assert agriculture.measure_2 == ""
    assert agriculture.sme_below_2 is None
    assert agriculture.medium_from_2 is None
    assert agriculture.small_from_2 is None


def test_an_unknown_industry_is_refused(standards):
    with pytest.raises(RuleViolation) as info:
        classify_size(industry="mining", employees=10, revenue=D("1"), total_assets=D("1"))
    assert info.value.code == "validation_error"
    assert info.value.clause == "art. 4"
    assert "mining" in info.value.message


def test_float_and_negative_figures_are_refused(standards):
    with pytest.raises(TypeError, match="float"):
        classify_size(industry="retail", employees=10, revenue=1000000.0, total_assets=D("0"))
    with pytest.raises(ValueError, match="non-negative"):
        classify_size(industry="retail", employees=-1, revenue=D("1000000"), total_assets=D("0"))


def test_a_figure_the_industry_needs_must_be_given(standards):
    with pytest.raises(ValueError, match="assets"):
        classify_size(industry="construction", employees=10, revenue=D("1000000"), total_assets=None)
