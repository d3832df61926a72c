"""Writes of policy versions (SPEC §2): propose, revise, approve — with maker-checker — and their validation.

A version is proposed by one bureau user and approved by another (``approver_is_maker`` otherwise); once
approved it never changes. Every save checks the version (``policy_version_problems``):

- ``effective_to`` ≥ ``effective_from`` and no overlap with any other version, approved or pending
  (SPEC §2 "they never overlap"; art. 40: a version is valid for a fixed period);
- loss weights pool : bank : guarantor and split weights region : city : district (art. 20) are
  non-negative integers with a positive sum, and ``allocate`` is monotone in the amount under each: for every
  amount a from 0 to 2·Σw fens, every part of allocate(a + 0.01) ≥ the same part of allocate(a), so that the
  cumulative recovery allocation of SPEC §11 never exceeds the loss allocation. ``allocate(a + Σw fens)`` is
  ``allocate(a)`` plus one fen per unit of weight, so the differences repeat with period Σw fens and two
  periods cover every amount;
- the suspension threshold is in (0, 1] (art. 37), and the other parameters are sensible (art. 8, 9, 13, 16,
  22, 4).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from riskfund.access import BUREAU, user_roles
from riskfund.errors import RuleViolation, invalid
from riskfund.money import FEN, ZERO, allocate

from .models import PolicyVersion

# the largest weight sum checked (2·Σw allocations); the regulation's ratios are percentages (Σw = 100)
MAX_WEIGHT_SUM = 10_000

PARAMETER_FIELDS = frozenset(
    f.name
    for f in PolicyVersion._meta.concrete_fields
    if f.name not in {"id", "public_id", "code", "title", "document_no", "effective_from", "effective_to"}
    and f.name not in {"created_by", "approved_by", "approved_at"}
)
EDITABLE_FIELDS = PARAMETER_FIELDS | {"code", "title", "document_no", "effective_from", "effective_to"}


@dataclass(frozen=True)
class Problem:
    """One reason a version is refused: the form field it belongs to, a code, the article, a message."""

    field: str
    code: str
    clause: str
    message: str


def allocation_monotone_failure(weights: tuple[int, ...] | list[int]) -> Decimal | None:
    """The first amount a in [0, 2·Σw fens] at which some part of ``allocate(a + 0.01)`` is below the same
    part of ``allocate(a)``; None when ``allocate`` is monotone under ``weights`` (SPEC §2, §11; art. 20)."""
    total = sum(weights)
    previous = allocate(ZERO, weights)
    for fens in range(1, 2 * total + 2):
        current = allocate(Decimal(fens) * FEN, weights)
        if any(c < p for c, p in zip(current, previous, strict=True)):
            return Decimal(fens - 1) * FEN
        previous = current
    return None


def _weight_problems(field: str, label: str, weights: tuple[int, ...]) -> list[Problem]:
    """art. 20: the shares are integer weights; ``allocate`` must be monotone under them (SPEC §2)."""
    shown = ":".join(str(w) for w in weights)
    if any(w is None or w < 0 for w in weights):
        return [Problem(field, "validation_error", "art. 20", f"{label}比例 {shown} 不能为负数")]
    total = sum(weights)
    if total <= 0:
        return [Problem(field, "validation_error", "art. 20", f"{label}比例 {shown} 之和必须大于零")]
    if total > MAX_WEIGHT_SUM:
        return [
            Problem(field, "validation_error", "art. 20", f"{label}比例 {shown} 之和超过 {MAX_WEIGHT_SUM}，请约简比例")
        ]
    failure = allocation_monotone_failure(weights)
    if failure is not None:
        before = allocate(failure, weights)
        after = allocate(failure + FEN, weights)
        return [
            Problem(
                field,
                "policy_weights_not_monotone",
                "art. 20",
                f"{label}比例 {shown} 使分配不单调：{failure} 分配为 {[str(x) for x in before]}，"
                f"{failure + FEN} 分配为 {[str(x) for x in after]}，某一方份额减少"
                "（累计追偿分配可能超过损失分配，SPEC §2、§11）",
            )
        ]
    return []


def _overlapping(version: PolicyVersion):
    others = PolicyVersion.objects.filter(
        effective_from__lte=version.effective_to, effective_to__gte=version.effective_from
    )
    if version.pk is not None:
        others = others.exclude(pk=version.pk)
    return others.order_by("effective_from")


def policy_version_problems(version: PolicyVersion) -> list[Problem]:
    """Every reason ``version`` may not be saved (see the module docstring); empty when it may."""
    problems: list[Problem] = []
    start, end = version.effective_from, version.effective_to
    if not isinstance(start, date) or not isinstance(end, date):
        problems.append(Problem("effective_from", "validation_error", "art. 40", "生效日期和失效日期必须填写"))
    elif end < start:
        problems.append(Problem("effective_to", "validation_error", "art. 40", "失效日期不能早于生效日期"))
    else:
        for other in _overlapping(version):
            status = "已批准" if other.approved_at else "待批准"
            problems.append(
                Problem(
                    NON_FIELD_ERRORS,
                    "policy_overlap",
                    "art. 40",
                    f"有效期 {start} 至 {end} 与{status}的政策版本 {other.code}"
                    f"（{other.effective_from} 至 {other.effective_to}）重叠；政策版本不得重叠",
                )
            )
    problems += _weight_problems("loss_weight_pool", "风险分担（资金池:银行:担保机构）", version.loss_weights)
    problems += _weight_problems("split_weight_region", "资金池分担（自治区:市本级:地区）", version.split_weights)

    threshold = version.suspension_threshold
    if not isinstance(threshold, Decimal) or not (ZERO < threshold <= Decimal(1)):
        problems.append(
            Problem("suspension_threshold", "validation_error", "art. 37", "暂停新增业务的代偿比例必须大于0且不超过1")
        )
    # art. 9, 13: multiples of a balance
    for field, label, clause in (
        ("pool_leverage", "资金池放大倍数", "art. 9"),
        ("district_scale_cap", "地区贷款规模上限倍数", "art. 13"),
        ("deposit_topup_multiple", "抵押金补充触发倍数", "art. 16"),
        ("loan_term_months", "贷款期限", "art. 22"),
    ):
        if getattr(version, field) is None or getattr(version, field) < 1:
            problems.append(Problem(field, "validation_error", clause, f"{label}必须至少为1"))
    # art. 22: the extended term is the longer one
    if (version.loan_term_extended_months or 0) < (version.loan_term_months or 0):
        problems.append(
            Problem("loan_term_extended_months", "validation_error", "art. 22", "放宽后贷款期限不能短于一般贷款期限")
        )
    # art. 8: the reduced minimum is a reduction of the standard one
    minimum, reduced = version.district_min_injection, version.district_reduced_min_injection
    if minimum is None or reduced is None or reduced <= ZERO or reduced > minimum:
        problems.append(
            Problem(
                "district_reduced_min_injection",
                "validation_error",
                "art. 8",
                "地区降低标准最低注资额必须大于零且不超过最低注资额",
            )
        )
    # art. 16, 22: amounts that limit business are positive
    for field, label, clause in (
        ("initial_deposit", "首笔风险补偿抵押金", "art. 16"),
        ("enterprise_max_outstanding", "单户企业贷款额度上限", "art. 22"),
    ):
        if getattr(version, field) is None or getattr(version, field) <= ZERO:
            problems.append(Problem(field, "validation_error", clause, f"{label}必须大于零"))
    # art. 4, 5: characters 3–6 of a USCC, an administrative division code
    prefix = version.registration_prefix or ""
    if len(prefix) != 4 or not prefix.isascii() or not prefix.isdigit():
        problems.append(
            Problem("registration_prefix", "validation_error", "art. 4", "本市登记代码必须是4位数字（如包头 1502）")
        )
    return problems


def policy_version_validate(version: PolicyVersion) -> None:
    """Raise ``ValidationError`` (by field, for forms) when ``version`` may not be saved."""
    problems = policy_version_problems(version)
    if problems:
        errors: dict[str, list[ValidationError]] = {}
        for p in problems:
            errors.setdefault(p.field, []).append(ValidationError(p.message, code=p.code))
        raise ValidationError(errors)


def _refuse_if_problems(version: PolicyVersion) -> None:
    problems = policy_version_problems(version)
    if problems:
        first = problems[0]
        status = 400 if first.code == "validation_error" else 422
        raise RuleViolation(first.code, first.clause, "；".join(p.message for p in problems), status=status)


def _save(version: PolicyVersion, **kwargs) -> None:
    """Save in a savepoint; on PostgreSQL an exclusion constraint refuses an overlap that a concurrent
    proposal committed after our check (migration 0003)."""
    try:
        with transaction.atomic():
            version.save(**kwargs)
    except IntegrityError as exc:
        if "policy_versions_do_not_overlap" in str(exc):
            raise RuleViolation("policy_overlap", "art. 40", f"政策版本 {version.code} 与另一版本的有效期重叠") from exc
        raise


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not a policy parameter: {', '.join(sorted(unknown))}")


def _require_bureau(user, *, approving: bool = False) -> None:
    """SPEC §2: versions are proposed by one bureau user and approved by another (never needing a superuser)."""
    if BUREAU not in user_roles(user):
        if approving:
            raise RuleViolation("approver_not_authorised", "SPEC §2", "政策版本须由市工信局人员批准", status=403)
        raise RuleViolation("permission_denied", "SPEC §2", "政策版本须由市工信局人员提出", status=403)


def policy_version_propose(
    *,
    user,
    code: str,
    title: str,
    effective_from: date,
    effective_to: date,
    document_no: str = "",
    **parameters,
) -> PolicyVersion:
    """A new pending version by ``user`` (the maker, a bureau user); parameters not given take the model defaults
    (SPEC §2)."""
    _check_fields(parameters)
    _require_bureau(user)
    version = PolicyVersion(
        code=code,
        title=title,
        document_no=document_no,
        effective_from=effective_from,
        effective_to=effective_to,
        created_by=user,
        **parameters,
    )
    with transaction.atomic():
        if PolicyVersion.objects.filter(code=code).exists():
            raise RuleViolation("validation_error", "SPEC §2", f"政策版本号 {code} 已存在", status=400)
        _refuse_if_problems(version)
        _save(version)
    return version


def policy_version_revise(*, version: PolicyVersion, user, **fields) -> PolicyVersion:
    """Change a pending version. The reviser becomes its maker (``created_by``), so the approver must be
    someone else again; an approved version never changes (``policy_approved``)."""
    _check_fields(fields)
    _require_bureau(user)
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.approved_at is not None:
            raise RuleViolation("policy_approved", "SPEC §2", f"政策版本 {locked.code} 已批准，不能修改")
        if "code" in fields and PolicyVersion.objects.filter(code=fields["code"]).exclude(pk=locked.pk).exists():
            raise RuleViolation("validation_error", "SPEC §2", f"政策版本号 {fields['code']} 已存在", status=400)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.created_by = user
        _refuse_if_problems(locked)
        _save(locked)
    return locked


def policy_version_approve(*, version: PolicyVersion, user) -> PolicyVersion:
    """Approve a pending version (maker-checker, SPEC §2): the approver is a bureau user other than its maker
    (``approver_is_maker``); the version is checked again (``policy_overlap``) and from then on is in force over
    its dates."""
    if user is None or user.pk is None:
        raise ValueError("an approval needs a user")
    _require_bureau(user, approving=True)
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.approved_at is not None:
            raise RuleViolation("policy_approved", "SPEC §2", f"政策版本 {locked.code} 已于 {locked.approved_at} 批准")
        if locked.created_by_id == user.pk:
            raise RuleViolation("approver_is_maker", "SPEC §2", "批准人不能是提出人（审批分离）")
        _refuse_if_problems(locked)
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_by", "approved_at"])
    version.approved_by, version.approved_at = locked.approved_by, locked.approved_at
    return locked


def policy_version_renew(
    *,
    user,
    based_on: str,
    code: str,
    effective_from: date,
    effective_to: date,
    title: str = "",
    document_no: str = "",
    **overrides,
) -> PolicyVersion:
    """Art. 40 renewal (SPEC §2): a pending version proposed from the version coded ``based_on`` — every parameter
    copied from it, then ``overrides`` where the new text differs; the title too unless given."""
    unknown = set(overrides) - PARAMETER_FIELDS
    if unknown:
        raise TypeError(f"not a policy parameter: {', '.join(sorted(unknown))}")
    source = PolicyVersion.objects.filter(code=based_on).first()
    if source is None:
        raise invalid("based_on", f"没有版本号为 {based_on} 的政策版本", "art. 40")
    parameters = {name: getattr(source, name) for name in PARAMETER_FIELDS} | overrides
    return policy_version_propose(
        user=user,
        code=code,
        title=title or source.title,
        document_no=document_no,
        effective_from=effective_from,
        effective_to=effective_to,
        **parameters,
    )
