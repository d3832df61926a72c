"""Art. 8: a district commits at least 8,000,000, or at least 4,000,000 under the reduced standard with a
reason; the region and the city make no commitment."""

from decimal import Decimal

import pytest

from riskfund.errors import RuleViolation
from riskfund.parties.models import Funder
from riskfund.parties.services import commitment_set

D = Decimal


@pytest.fixture
def district(seeded):
    return Funder.objects.get(code="150203")


def test_art8_commitment_of_8_million_is_accepted(district):
    funder = commitment_set(funder=district, amount=D("8000000"))
    assert (funder.commitment, funder.reduced_standard, funder.reduced_reason) == (D("8000000.00"), False, "")
    district.refresh_from_db()
    assert district.commitment == D("8000000.00")


def test_art8_commitment_of_7999999_99_is_refused(district):
    with pytest.raises(RuleViolation) as err:
        commitment_set(funder=district, amount=D("7999999.99"))
    assert (err.value.code, err.value.clause) == ("commitment_below_minimum", "art. 8")
    district.refresh_from_db()
    assert district.commitment is None


def test_art8_reduced_commitment_of_4_million_with_flag_and_reason_is_accepted(district):
    funder = commitment_set(funder=district, amount=D("4000000"), reduced_standard=True, reason="中小企业数量较少")
    assert (funder.commitment, funder.reduced_standard, funder.reduced_reason) == (
        D("4000000.00"),
        True,
        "中小企业数量较少",
    )


def test_art8_reduced_commitment_without_a_reason_is_refused(district):
    with pytest.raises(RuleViolation) as err:
        commitment_set(funder=district, amount=D("4000000"), reduced_standard=True, reason="  ")
    assert (err.value.code, err.value.clause) == ("reduced_standard_reason_required", "art. 8")


def test_art8_reduced_amount_without_the_flag_or_below_4_million_is_refused(district):
    with pytest.raises(RuleViolation) as err:
        commitment_set(funder=district, amount=D("4000000"))
    assert err.value.code == "commitment_below_minimum"
    with pytest.raises(RuleViolation) as err:
        commitment_set(funder=district, amount=D("3999999.99"), reduced_standard=True, reason="较困难")
    assert err.value.code == "commitment_below_minimum"


def test_art8_only_districts_commit(seeded):
    for code in ("region", "city"):
        with pytest.raises(RuleViolation) as err:
            commitment_set(funder=Funder.objects.get(code=code), amount=D("8000000"))
        assert err.value.code == "commitment_not_district"
