"""What each kind of approval request does: who may make it, who may check it, how its payload is cleaned when it
is made, and which domain service carries it out when it is approved.

A kind is an ``ApprovalAction``; ``ACTIONS`` maps ``ApprovalKind`` values to them. To add a kind: add a value to
``ApprovalKind`` (models.py, with a migration for the CHECK constraint) and an entry here.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models

from riskfund.access import BUREAU, TRUSTEE
from riskfund.errors import RuleViolation
from riskfund.lending.services.enterprises import enterprise_lift_dishonest
from riskfund.lending.validation import invalid as _invalid
from riskfund.parties.models import Enterprise
from riskfund.pool.adjustments import adjustment_approved, adjustment_rejected
from riskfund.pool.models import AdjustmentStatus, DepositAdjustment, Injection
from riskfund.pool.services import injection_reverse

from .models import ApprovalKind


def _reason(payload: Mapping[str, Any], limit: int) -> str:
    reason = payload.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _invalid("reason", "须说明理由")
    reason = reason.strip()
    if len(reason) > limit:
        raise _invalid("reason", f"理由不超过 {limit} 个字")
    return reason


def _date(payload: Mapping[str, Any], field: str) -> date:
    value = payload.get(field)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid(field, "须为日期 YYYY-MM-DD")


def no_floats(value: Any, path: str = "payload") -> None:
    """SPEC §3: no float anywhere — a payload holds str, int, bool, None, lists and dicts of them."""
    if isinstance(value, float):
        raise _invalid(path, "不接受浮点数（金额请用字符串）")
    if isinstance(value, Mapping):
        for key, item in value.items():
            no_floats(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            no_floats(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, str | int | bool | Decimal):
        raise _invalid(path, f"不支持的类型 {type(value).__name__}")


# --- dishonest lift (art. 36, SPEC §10) -----------------------------------------------------------------------


def _lift_clean(subject: Enterprise, payload: Mapping[str, Any]) -> dict[str, Any]:
    if not subject.dishonest:
        raise RuleViolation("enterprise_not_dishonest", "art. 36", f"{subject.name} is not on the dishonest list")
    return {"reason": _reason(payload, 500), "on": _date(payload, "on").isoformat()}


def _lift_execute(subject: Enterprise, payload: Mapping[str, Any], checker) -> dict[str, Any]:
    record = enterprise_lift_dishonest(
        enterprise=subject, on=date.fromisoformat(payload["on"]), reason=payload["reason"], user=checker
    )
    return {"dishonest_record": str(record.pk)}


# --- injection reversal (SPEC §4: corrections are reversals) --------------------------------------------------


def _reversal_clean(subject: Injection, payload: Mapping[str, Any]) -> dict[str, Any]:
    if subject.reversal_id is not None:
        raise RuleViolation("injection_already_reversed", "", "this injection has already been reversed")
    on = _date(payload, "on")
    if on < subject.paid_on:
        raise _invalid("on", f"冲正日期 {on} 早于到账日期 {subject.paid_on}")
    return {"reason": _reason(payload, 300), "on": on.isoformat()}


def _reversal_execute(subject: Injection, payload: Mapping[str, Any], checker) -> dict[str, Any]:
    injection = injection_reverse(
        injection=subject, reversed_on=date.fromisoformat(payload["on"]), reason=payload["reason"], user=checker
    )
    return {"reversal_transaction": str(injection.reversal_id)}


# --- deposit adjustment (art. 16 "适时调整", SPEC §7) -----------------------------------------------------------


def _adjustment_clean(subject: DepositAdjustment, payload: Mapping[str, Any]) -> dict[str, Any]:
    if subject.status != AdjustmentStatus.PROPOSED:
        raise RuleViolation("adjustment_not_proposed", "art. 16", f"this adjustment is {subject.get_status_display()}")
    return {}


def _adjustment_execute(subject: DepositAdjustment, payload: Mapping[str, Any], checker) -> dict[str, Any]:
    adjustment = adjustment_approved(adjustment=subject, user=checker)
    return {"due_on": adjustment.due_on.isoformat()}


def _adjustment_reject(subject: DepositAdjustment) -> None:
    adjustment_rejected(adjustment=subject)


@dataclass(frozen=True)
class ApprovalAction:
    model: type[models.Model]
    maker_roles: frozenset[str]
    checker_roles: frozenset[str]
    clean: Callable[[Any, Mapping[str, Any]], dict[str, Any]]
    execute: Callable[[Any, Mapping[str, Any], Any], dict[str, Any]]
    clause: str = ""
    # what a rejection does to the subject, when its own status follows the request's
    reject: Callable[[Any], None] | None = None


ACTIONS: dict[str, ApprovalAction] = {
    # SPEC §10: "only the bureau can lift it, with a reason (maker-checker)"
    ApprovalKind.DISHONEST_LIFT: ApprovalAction(
        model=Enterprise,
        maker_roles=frozenset({BUREAU}),
        checker_roles=frozenset({BUREAU}),
        clean=_lift_clean,
        execute=_lift_execute,
        clause="art. 36",
    ),
    # the trustee keeps the injections (art. 10) and may ask for a correction; the bureau approves it
    ApprovalKind.INJECTION_REVERSAL: ApprovalAction(
        model=Injection,
        maker_roles=frozenset({TRUSTEE, BUREAU}),
        checker_roles=frozenset({BUREAU}),
        clean=_reversal_clean,
        execute=_reversal_execute,
        clause="SPEC §4",
    ),
    # art. 16 "适时调整": one bureau user proposes (the proposal makes the request), another approves; the
    # trustee then executes it (riskfund.pool.adjustments)
    ApprovalKind.DEPOSIT_ADJUSTMENT: ApprovalAction(
        model=DepositAdjustment,
        maker_roles=frozenset({BUREAU}),
        checker_roles=frozenset({BUREAU}),
        clean=_adjustment_clean,
        execute=_adjustment_execute,
        clause="art. 16",
        reject=_adjustment_reject,
    ),
}


def approval_action(kind: str) -> ApprovalAction:
    try:
        return ACTIONS[kind]
    except KeyError:
        raise _invalid("kind", f"未知审批事项 {kind!r}") from None
