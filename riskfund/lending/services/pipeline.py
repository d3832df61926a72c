"""The loan pipeline before disbursement (art. 24–26): application → recommendation → due diligence (bank and
guarantor).

Applications and recommendations check the enterprise's eligibility only (SME, Baotou, not dishonest, not under
review for the list — art. 4, 5, 36); amounts and limits are checked at registration (SPEC §8). Every status
change and opinion is kept as a ``PipelineEvent``.
"""

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.outbox.models import EventType
from riskfund.outbox.services import outbox_emit
from riskfund.parties.models import Bank, Enterprise, Guarantor
from riskfund.policy.selectors import policy_for_pool

from ..models import (
    Application,
    ApplicationStatus,
    DueDiligence,
    DueDiligenceParty,
    FormNumberSequence,
    Opinion,
    PipelineEvent,
    PipelineStep,
    Recommendation,
    RecommendationStatus,
)
from ..validation import invalid, money, today_or_default
from .enterprises import eligibility_violation

FORM_PREFIX = "ZBJ"
FORM_NO = re.compile(rf"{FORM_PREFIX}-(\d{{4}})-(\d{{6}})")
OPEN_RECOMMENDATION = [RecommendationStatus.ISSUED, RecommendationStatus.APPROVED, RecommendationStatus.USED]


def _check_eligible(enterprise: Enterprise, on: date) -> None:
    violation = eligibility_violation(enterprise, policy_for_pool(on))
    if violation is not None:
        raise violation


def application_create(
    *,
    enterprise: Enterprise,
    amount: Decimal,
    term_months: int,
    purpose: str = "",
    submitted_on: date | None = None,
    user=None,
) -> Application:
    """The district office recommends an enterprise's application to the bureau (art. 24). Eligibility only:
    not Baotou or large → ``enterprise_not_eligible`` (art. 4, 5); on the dishonest list →
    ``enterprise_dishonest`` (art. 36). The purpose is free text (art. 5), recorded, not classified."""
    amount = money(amount, "amount", positive=True, clause="art. 24")
    if isinstance(term_months, bool) or not isinstance(term_months, int) or term_months <= 0:
        raise invalid("term_months", "期限（月）须为正整数", "art. 22")
    submitted_on = not_in_future(today_or_default(submitted_on), "submitted_on")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        _check_eligible(enterprise, submitted_on)
        application = Application.objects.create(
            enterprise=enterprise,
            amount=amount,
            term_months=term_months,
            purpose=purpose or "",
            submitted_on=submitted_on,
            submitted_by=user,
        )
        PipelineEvent.objects.create(
            application=application,
            step=PipelineStep.APPLICATION,
            to_status=ApplicationStatus.SUBMITTED,
            on=submitted_on,
            user=user,
        )
    return application


def application_withdraw(*, application: Application, on: date, reason: str = "", user=None) -> Application:
    """Withdraw an application that has not been recommended yet (art. 24); not on a date after today."""
    not_in_future(on, "on")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise invalid("application", "只有尚未推荐的申请可以撤回", "art. 24")
        application.status = ApplicationStatus.WITHDRAWN
        application.save(update_fields=["status"])
        PipelineEvent.objects.create(
            application=application,
            step=PipelineStep.APPLICATION,
            from_status=ApplicationStatus.SUBMITTED,
            to_status=ApplicationStatus.WITHDRAWN,
            on=on,
            note=reason,
            user=user,
        )
    return application


def _next_form_no(year: int) -> str:
    """The next form number of ``year``, "ZBJ-2026-000123": the year's ``FormNumberSequence`` row is created if
    missing (a conflict is ignored) and locked, so concurrent issues get distinct, gap-free numbers."""
    FormNumberSequence.objects.bulk_create([FormNumberSequence(year=year)], ignore_conflicts=True)
    sequence = FormNumberSequence.objects.select_for_update().get(year=year)
    FormNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{FORM_PREFIX}-{year}-{sequence.last:06d}"


def _given_form_no(form_no: str) -> str:
    """A form number printed on a paper form issued before riskfund (an imported book, art. 25): 1–20 characters,
    not yet used. One in riskfund's own pattern moves its year's sequence past it, so no later issue repeats it."""
    form_no = form_no.strip()
    if not form_no or len(form_no) > Recommendation._meta.get_field("form_no").max_length:
        raise invalid("form_no", "推荐表编号须为1–20个字符", "art. 25")
    if Recommendation.objects.filter(form_no=form_no).exists():
        raise invalid("form_no", f"推荐表编号 {form_no} 已使用", "art. 25")
    match = FORM_NO.fullmatch(form_no)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        FormNumberSequence.objects.bulk_create([FormNumberSequence(year=year)], ignore_conflicts=True)
        FormNumberSequence.objects.select_for_update().filter(year=year, last__lt=number).update(last=number)
    return form_no


def recommendation_issue(
    *,
    application: Application,
    bank: Bank,
    guarantor: Guarantor,
    amount: Decimal,
    issued_on: date | None = None,
    user=None,
    form_no: str | None = None,
) -> Recommendation:
    """The bureau recommends the applicant to a bank and a guarantor and issues the form (推荐表, art. 25).

    Eligibility again (art. 4, 5, 36). A withdrawn application, or one that already has a recommendation that
    was not rejected, cannot be recommended (400, field ``application``): one application, one loan. The form
    number is the next of the year, or ``form_no`` when the form was issued on paper before riskfund (the book
    import keeps its number): then a number already used → 400 on ``form_no``.
    """
    amount = money(amount, "amount", positive=True, clause="art. 25")
    issued_on = not_in_future(today_or_default(issued_on), "issued_on")
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("enterprise").get(pk=application.pk)
        if application.status == ApplicationStatus.WITHDRAWN:
            raise invalid("application", "申请已撤回", "art. 25")
        if application.recommendations.filter(status__in=OPEN_RECOMMENDATION).exists():
            raise invalid("application", "该申请已有有效推荐表", "art. 25")
        _check_eligible(application.enterprise, issued_on)
        recommendation = Recommendation.objects.create(
            application=application,
            form_no=_given_form_no(form_no) if form_no is not None else _next_form_no(issued_on.year),
            bank=bank,
            guarantor=guarantor,
            amount=amount,
            issued_on=issued_on,
            issued_by=user,
        )
        previous = application.status
        if previous != ApplicationStatus.RECOMMENDED:
            application.status = ApplicationStatus.RECOMMENDED
            application.save(update_fields=["status"])
            PipelineEvent.objects.create(
                application=application,
                step=PipelineStep.APPLICATION,
                from_status=previous,
                to_status=ApplicationStatus.RECOMMENDED,
                on=issued_on,
                user=user,
            )
        PipelineEvent.objects.create(
            application=application,
            recommendation=recommendation,
            step=PipelineStep.RECOMMENDATION,
            to_status=RecommendationStatus.ISSUED,
            on=issued_on,
            note=f"{recommendation.form_no} → {bank.code} / {guarantor.code}",
            user=user,
        )
        outbox_emit(
            bank=bank,
            type=EventType.RECOMMENDATION_ISSUED,
            data={
                "recommendation": recommendation.pk,
                "form_no": recommendation.form_no,
                "enterprise": application.enterprise.uscc,
                "amount": recommendation.amount,
                "guarantor": guarantor.code,
            },
        )
    return recommendation


def _status_after(recommendation: Recommendation) -> str:
    """Art. 26 (SPEC §8): usable once BOTH the bank and the guarantor approve; a reject by either closes it."""
    opinions = (recommendation.bank_opinion, recommendation.guarantor_opinion)
    if Opinion.REJECT in opinions:
        return RecommendationStatus.REJECTED
    if opinions == (Opinion.APPROVE, Opinion.APPROVE):
        return RecommendationStatus.APPROVED
    return RecommendationStatus.ISSUED


def due_diligence_record(
    *,
    recommendation: Recommendation,
    party: str,
    opinion: str,
    reported_on: date,
    notes: str = "",
    today: date | None = None,
    user=None,
) -> DueDiligence:
    """A due-diligence opinion reported to the bureau (art. 26 "合作银行、合作担保机构……进行尽职调查"): the bank
    reports its own over the API, the guarantor's is recorded by bureau or trustee staff. Both gate the loan: the
    recommendation is usable for ONE loan ("approved") once both approve; a reject by either closes it
    ("rejected"). A party's later opinion replaces its earlier one while the recommendation is open; a closed
    (rejected) or used recommendation takes no more opinions (``recommendation_not_usable``)."""
    if party not in DueDiligenceParty.values:
        raise invalid("party", f"未知尽调机构 {party!r}", "art. 26")
    if opinion not in Opinion.values:
        raise invalid("opinion", f"审批意见应为 approve 或 reject，实际为 {opinion!r}", "art. 26")
    not_in_future(reported_on, "reported_on", today_or_default(today))
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if recommendation.status in (RecommendationStatus.USED, RecommendationStatus.REJECTED):
            done = "used for a loan" if recommendation.status == RecommendationStatus.USED else "closed by a reject"
            raise RuleViolation("recommendation_not_usable", "art. 26", f"{recommendation.form_no} was already {done}")
        record = DueDiligence.objects.create(
            recommendation=recommendation, party=party, opinion=opinion, reported_on=reported_on, notes=notes or ""
        )
        previous = recommendation.status
        opinion_field = "bank_opinion" if party == DueDiligenceParty.BANK else "guarantor_opinion"
        setattr(recommendation, opinion_field, opinion)
        recommendation.status = _status_after(recommendation)
        recommendation.save(update_fields=[opinion_field, "status"])
        PipelineEvent.objects.create(
            application_id=recommendation.application_id,
            recommendation=recommendation,
            step=PipelineStep.DUE_DILIGENCE,
            from_status=previous,
            to_status=recommendation.status,
            on=reported_on,
            note=f"{DueDiligenceParty(party).label}：{Opinion(opinion).label}",
            user=user,
        )
    return record
