"""Enterprises (art. 4, 5), the dishonest list (art. 36) and continuous-support extensions (art. 23).

A malformed input (bad USCC, unknown district or industry) is an ``InputError`` (400 ``validation_error`` with
field messages); an enterprise not registered in Baotou is ``enterprise_not_eligible`` (422, art. 4, 5). A large
enterprise is recorded with ``size_class`` "large" and refused at application and registration.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.parties.models import (
    DishonestAction,
    DishonestCause,
    DishonestListing,
    DishonestRecord,
    Enterprise,
    Funder,
    FunderTier,
    ListingStatus,
    SupportExtension,
)
from riskfund.policy.models import IndustryStandard, PolicyVersion, SizeClass
from riskfund.policy.selectors import policy_for_pool
from riskfund.policy.sme import classify_size
from riskfund.policy.uscc import registration_area, uscc_problem

from ..validation import invalid, money


def _district(code: str) -> Funder:
    district = Funder.objects.filter(code=code, tier=FunderTier.DISTRICT).first()
    if district is None:
        raise invalid("district", f"未知地区代码 {code!r}（应为包头市各地区行政区划代码）", "art. 4")
    return district


def _size_class(*, industry: str, employees: int, revenue: Decimal, total_assets: Decimal) -> str:
    if not IndustryStandard.objects.filter(code=industry).exists():
        raise invalid("industry", f"未知行业代码 {industry!r}（见 sme-standard-2011.csv）", "art. 4")
    return classify_size(industry=industry, employees=employees, revenue=revenue, total_assets=total_assets)


def _employees(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid("employees", "从业人员须为非负整数", "art. 4")
    return value


def eligibility_violation(enterprise: Enterprise, policy: PolicyVersion) -> RuleViolation | None:
    """Art. 4, 5, 36: the enterprise must be registered in Baotou (USCC chars 3–6 = the policy's
    ``registration_prefix``) and an SME (not "large") → else ``enterprise_not_eligible``; not on the dishonest
    list → else ``enterprise_dishonest``; no listing proposal pending (a compensation's, SPEC §10) → else
    ``enterprise_under_review``. Returns the first failure, or None."""
    if registration_area(enterprise.uscc) != policy.registration_prefix:
        return RuleViolation(
            "enterprise_not_eligible",
            "art. 4, 5",
            f"{enterprise.uscc} is not registered in Baotou (chars 3–6 ≠ {policy.registration_prefix})",
        )
    if enterprise.size_class == SizeClass.LARGE:
        return RuleViolation(
            "enterprise_not_eligible", "art. 4", f"{enterprise.name} is a large enterprise, not an SME"
        )
    if enterprise.dishonest:
        return RuleViolation("enterprise_dishonest", "art. 36", f"{enterprise.name} is on the dishonest list")
    if DishonestListing.objects.filter(enterprise=enterprise, status=ListingStatus.PENDING).exists():
        return RuleViolation(
            "enterprise_under_review",
            "art. 36",
            f"{enterprise.name}: a proposal to list it as dishonest awaits the bureau's decision",
        )
    return None


def enterprise_create(
    *,
    uscc: str,
    name: str,
    district_code: str,
    industry: str,
    employees: int,
    revenue: Decimal,
    total_assets: Decimal,
    established_on: date,
    user=None,
    today: date | None = None,
) -> Enterprise:
    """Register a borrower (art. 4, 5). A bad USCC, unknown district or industry → ``InputError`` (400); a USCC
    whose chars 3–6 are not the policy's ``registration_prefix`` ("1502") → ``enterprise_not_eligible``
    (art. 4, 5); an ``established_on`` after today → ``date_in_future``. The size class is computed by the 2011
    national standard and stored (a large enterprise is recorded, and refused later)."""
    uscc = (uscc or "").strip()
    problem = uscc_problem(uscc)
    if problem is not None:
        raise invalid("uscc", problem, "art. 4")
    name = (name or "").strip()
    if not name:
        raise invalid("name", "企业名称不能为空")
    employees = _employees(employees)
    revenue = money(revenue, "revenue", clause="art. 4")
    total_assets = money(total_assets, "total_assets", clause="art. 4")
    not_in_future(established_on, "established_on", today)
    policy = policy_for_pool(dates.business_today())
    if registration_area(uscc) != policy.registration_prefix:
        raise RuleViolation(
            "enterprise_not_eligible",
            "art. 4, 5",
            f"{uscc} is not registered in Baotou (chars 3–6 {registration_area(uscc)} ≠ {policy.registration_prefix})",
        )
    district = _district(district_code)
    size = _size_class(industry=industry, employees=employees, revenue=revenue, total_assets=total_assets)
    with transaction.atomic():
        if Enterprise.objects.filter(uscc=uscc).exists():
            raise invalid("uscc", f"统一社会信用代码 {uscc} 已登记")
        return Enterprise.objects.create(
            uscc=uscc,
            name=name,
            district=district,
            industry=industry,
            employees=employees,
            revenue=revenue,
            total_assets=total_assets,
            established_on=established_on,
            size_class=size,
            created_by=user,
        )


def enterprise_update(
    *,
    enterprise: Enterprise,
    name: str | None = None,
    district_code: str | None = None,
    industry: str | None = None,
    employees: int | None = None,
    revenue: Decimal | None = None,
    total_assets: Decimal | None = None,
) -> Enterprise:
    """Change an enterprise's data and recompute its size class (art. 4). Loans already registered keep the
    district frozen on them (SPEC §3)."""
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if name is not None:
            if not name.strip():
                raise invalid("name", "企业名称不能为空")
            enterprise.name = name.strip()
        if district_code is not None:
            enterprise.district = _district(district_code)
        if industry is not None:
            enterprise.industry = industry
        if employees is not None:
            enterprise.employees = _employees(employees)
        if revenue is not None:
            enterprise.revenue = money(revenue, "revenue", clause="art. 4")
        if total_assets is not None:
            enterprise.total_assets = money(total_assets, "total_assets", clause="art. 4")
        enterprise.size_class = _size_class(
            industry=enterprise.industry,
            employees=enterprise.employees,
            revenue=enterprise.revenue,
            total_assets=enterprise.total_assets,
        )
        enterprise.save()
    return enterprise


def enterprise_list_dishonest(
    *, enterprise: Enterprise, on: date, reason: str, cause: str = DishonestCause.COMPENSATION, user=None
) -> DishonestRecord:
    """Put an enterprise on the dishonest list (失信企业名单, art. 36): "未能按期还款、恶意逃避债务造成风险补偿
    资金损失的企业". Called by the compensation service (cause "compensation"); a listing while already listed
    is recorded too (a second loss), the flag stays on. While listed, applications, recommendations and loans
    are refused with ``enterprise_dishonest``."""
    if cause not in DishonestCause.values:
        raise invalid("cause", f"未知原因类别 {cause!r}", "art. 36")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        record = DishonestRecord.objects.create(
            enterprise=enterprise, action=DishonestAction.LISTED, on=on, cause=cause, reason=reason, user=user
        )
        if not enterprise.dishonest:
            enterprise.dishonest = True
            enterprise.save(update_fields=["dishonest", "updated_at"])
    return record


def enterprise_lift_dishonest(*, enterprise: Enterprise, on: date, reason: str, user) -> DishonestRecord:
    """Take an enterprise off the dishonest list (art. 36; SPEC §10 "only the bureau can lift it, with a reason").
    Called when a second bureau user approves the lift request (``riskfund.approvals``, maker-checker): ``user`` is
    that checker and must hold the bureau role (``approver_not_authorised``, 403); a blank reason → ``InputError``;
    an enterprise not listed → ``enterprise_not_dishonest``. The history keeps the listing and the lifting; the
    firm's ``listed`` decisions become ``lifted`` (SPEC §10)."""
    from riskfund.access import BUREAU, user_roles

    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "移出失信名单须说明理由", "art. 36")
    if BUREAU not in user_roles(user):
        message = "only the bureau lifts the dishonest flag"
        raise RuleViolation("approver_not_authorised", "art. 36", message, status=403)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if not enterprise.dishonest:
            message = f"{enterprise.name} is not on the dishonest list"
            raise RuleViolation("enterprise_not_dishonest", "art. 36", message)
        record = DishonestRecord.objects.create(
            enterprise=enterprise, action=DishonestAction.LIFTED, on=on, reason=reason[:500], user=user
        )
        enterprise.dishonest = False
        enterprise.save(update_fields=["dishonest", "updated_at"])
        DishonestListing.objects.filter(enterprise=enterprise, status=ListingStatus.LISTED).update(
            status=ListingStatus.LIFTED, lifted_on=on
        )
    return record


def enterprise_extension_grant(*, enterprise: Enterprise, until: date, reason: str, user) -> SupportExtension:
    """The bureau extends continuous support (art. 23 "经合作各方研究同意，可适当延长贷款支持") until a date,
    with a reason (required). The newest grant replaces the enterprise's current extension; each is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "延长连续支持须说明理由", "art. 23")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        grant = SupportExtension.objects.create(enterprise=enterprise, until=until, reason=reason, granted_by=user)
        enterprise.support_extension_until = until
        enterprise.support_extension_reason = reason
        enterprise.save(update_fields=["support_extension_until", "support_extension_reason", "updated_at"])
    return grant
