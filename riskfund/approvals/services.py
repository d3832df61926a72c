"""Maker-checker (审批分离): request, approve, reject (SPEC §2, §7, §10; issue 6).

- ``approval_request`` records what the maker asks for, after the kind's own checks on the subject and payload;
  a second PENDING request for the same (kind, subject) → ``approval_already_pending``.
- ``approval_approve`` — the checker must hold the kind's checker role (``approver_not_authorised``, 403) and must
  not be the maker (``approver_is_maker``); the action is then carried out by its domain service in the SAME
  database transaction as the decision, so a broken rule leaves the request pending and nothing changed.
- ``approval_reject`` — same role and maker checks; nothing is carried out.

A request that is no longer pending → ``approval_not_pending``.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from riskfund.access import user_roles
from riskfund.errors import RuleViolation

from .kinds import approval_action, no_floats
from .models import ApprovalRequest, ApprovalStatus


def subject_key(subject: models.Model) -> str:
    return f"{subject._meta.label_lower}:{subject.pk}"


def _require_role(user, roles: frozenset[str], what: str, clause: str) -> None:
    if user is None or not (user_roles(user) & roles):
        raise RuleViolation(
            "approver_not_authorised" if what == "check" else "maker_not_authorised",
            clause,
            f"only {', '.join(sorted(roles))} may {what} this request",
            status=403,
        )


def approval_request(*, kind: str, subject: models.Model, payload: dict[str, Any], maker) -> ApprovalRequest:
    """Ask for ``kind`` on ``subject`` (maker). Refused while one is pending for the same (kind, subject)."""
    action = approval_action(kind)
    if not isinstance(subject, action.model):
        raise RuleViolation("validation_error", "", f"{kind} applies to {action.model._meta.label}", status=400)
    no_floats(payload)
    _require_role(maker, action.maker_roles, "make", action.clause)
    key = subject_key(subject)
    with transaction.atomic():
        subject = action.model._default_manager.select_for_update().get(pk=subject.pk)
        cleaned = action.clean(subject, payload)
        pending = ApprovalRequest.objects.filter(kind=kind, subject_key=key, status=ApprovalStatus.PENDING)
        if pending.exists():
            raise RuleViolation("approval_already_pending", action.clause, f"a {kind} request for {subject} is pending")
        try:
            with transaction.atomic():
                return ApprovalRequest.objects.create(
                    kind=kind,
                    subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
                    subject_id=str(subject.pk),
                    subject_key=key,
                    subject_label=str(subject)[:300],
                    payload=cleaned,
                    maker=maker,
                )
        except IntegrityError:  # a concurrent request got in between the check and the insert
            raise RuleViolation(
                "approval_already_pending", action.clause, f"a {kind} request for {subject} is pending"
            ) from None


def _decide(*, request: ApprovalRequest, checker, note: str) -> tuple[ApprovalRequest, Any]:
    """Lock a pending request and check who decides it (inside ``transaction.atomic()``)."""
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    action = approval_action(request.kind)
    if request.status != ApprovalStatus.PENDING:
        raise RuleViolation("approval_not_pending", action.clause, "this request has already been decided")
    _require_role(checker, action.checker_roles, "check", action.clause)
    if checker.pk == request.maker_id:
        raise RuleViolation("approver_is_maker", action.clause, "批准人不能是申请人（审批分离）")
    request.checker = checker
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:500]
    return request, action


def approval_approve(*, request: ApprovalRequest, checker, note: str = "") -> ApprovalRequest:
    """Approve and carry out the request through its domain service, in one database transaction."""
    with transaction.atomic():
        request, action = _decide(request=request, checker=checker, note=note)
        subject = action.model._default_manager.get(pk=request.subject_id)
        request.result = action.execute(subject, request.payload, checker)
        request.status = ApprovalStatus.APPROVED
        request.save(update_fields=["status", "checker", "decided_at", "decision_note", "result"])
    return request


def approval_reject(*, request: ApprovalRequest, checker, note: str = "") -> ApprovalRequest:
    """Reject the request: nothing is carried out; a new request for the same subject may then be made."""
    with transaction.atomic():
        request, action = _decide(request=request, checker=checker, note=note)
        request.status = ApprovalStatus.REJECTED
        request.save(update_fields=["status", "checker", "decided_at", "decision_note"])
        if action.reject is not None:
            action.reject(action.model._default_manager.get(pk=request.subject_id))
    return request
