"""The daily close of business (日终批处理, SPEC §12): runs, per-loan status, bucket history, flags, snapshots.

``CobRun``
    One per business date. ``running`` until every step is done, then ``done``; a run left ``running`` (a
    worker killed midway) is resumed by the next call for that date or for a later one. Each step's effect
    and its ``CobStep`` row are written in ONE database transaction, so a resumed run skips the steps that
    committed and redoes the one that was interrupted.

``CobPart``
    The per-loan steps run by loan-id range (one after the other, or on several Celery workers at once); each
    range that committed is recorded, and the step's ``CobStep`` once every range is.

``DailyLoanStatus``
    (not ``LoanStatus``: that name is the loan's own status choices, ``lending.LoanStatus``)
    The daily job's view of each loan (one row per loan, kept here rather than on ``lending.Loan``): overdue
    days and bucket on the run's date (SPEC §9), compensation eligibility (art. 32), the maturity reminder
    (art. 31). Written set-wise by a single INSERT … SELECT … ON CONFLICT per run; only rows whose figures
    change are written, and ``as_of`` is the business date of the run that last changed the row (a row holds
    for every later closed date until it changes). A loan that is no longer active on the run's date
    (repaid, compensated) gets no further changes. Its key to the loan has no database foreign key: the rows are
    derived, written only by that statement from ``lending_loan``'s own ids, and a first run's deferred check of
    ~1,000,000 keys at commit cost 20 of 70 s (BENCHMARKS.md, issue 15); ``tests/cob`` checks no row is orphaned.

``BucketChange``
    Each move of a loan between overdue buckets (SPEC §9 "Each move between buckets is kept").

``CobFlag``
    What the bureau must look at after a run: a top-up needed (art. 16), a top-up executed late, a deposit
    returned late (art. 18), a district below its minimum after the injection window (art. 8).

``PoolSnapshot``
    All SPEC §4 figures on the business date, with per-district and per-bank figures and the overdue buckets;
    the dashboard's history charts read these rows.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")


class Step(models.TextChoices):
    """The steps of a run, in execution order (SPEC §12)."""

    LOAN_STATUS = "loan_status", _("逾期天数与逾期分组")
    COMPENSATION_ELIGIBILITY = "compensation_eligibility", _("代偿条件")
    MATURITY_REMINDERS = "maturity_reminders", _("到期提醒")
    TOPUP_NEEDED = "topup_needed", _("抵押金补充需求")
    TOPUP_LATE = "topup_late", _("抵押金补充逾期")
    RETURN_LATE = "return_late", _("抵押金退回逾期")
    INJECTION_SHORTFALL = "injection_shortfall", _("地区注资不足")
    POLICY_EXPIRING = "policy_expiring", _("政策版本到期预警")
    THRESHOLD = "threshold", _("代偿比例复核")
    SNAPSHOT = "snapshot", _("资金池日终快照")


class Bucket(models.TextChoices):
    """SPEC §9 overdue buckets (the same values as ``riskfund.lending.rules.BUCKETS``)."""

    CURRENT = "current", _("未逾期")
    DAYS_1_25 = "1-25", _("逾期1–25天")
    DAYS_26_60 = "26-60", _("逾期26–60天")
    DAYS_61_90 = "61-90", _("逾期61–90天")
    DAYS_91_PLUS = "91+", _("逾期91天以上")


class FlagKind(models.TextChoices):
    TOPUP_NEEDED = "topup_needed", _("需补充抵押金")
    TOPUP_LATE = "topup_late", _("抵押金补充逾期未执行")
    RETURN_LATE = "return_late", _("抵押金逾期未退回")
    INJECTION_SHORTFALL = "injection_shortfall", _("地区注资未达最低标准")
    POLICY_EXPIRING = "policy_expiring", _("政策版本即将到期且无续期版本")


class CobRun(models.Model):
    business_date = models.DateField(_("业务日期"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("运行次数"), default=1)

    class Meta:
        verbose_name = _("日终批处理")
        verbose_name_plural = _("日终批处理")
        ordering = ["-business_date"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="cob_run_status_valid"),
            models.CheckConstraint(
                condition=Q(status="running") | Q(finished_at__isnull=False), name="cob_run_done_has_finish"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.get_status_display()}"


class CobStep(models.Model):
    """A step of a run that committed, with the rows it wrote (or counted)."""

    run = models.ForeignKey(CobRun, verbose_name=_("日终批处理"), on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("步骤"), max_length=40, choices=Step.choices)
    done_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    rows = models.PositiveIntegerField(_("影响行数"), default=0)

    class Meta:
        verbose_name = _("批处理步骤")
        verbose_name_plural = _("批处理步骤")
        ordering = ["run", "done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="cob_step_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run.business_date} {self.get_name_display()}"


class CobPart(models.Model):
    """One loan-id range (``label`` "k/n", riskfund/cob/sql.py ``Part``) of a per-loan step that committed, with the
    rows it wrote; the step's ``CobStep`` is written once every range of it is, so a resumed run redoes only the
    ranges that did not commit."""

    run = models.ForeignKey(CobRun, verbose_name=_("日终批处理"), on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("步骤"), max_length=40, choices=Step.choices)
    part = models.CharField(_("分段"), max_length=16)
    done_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    rows = models.PositiveIntegerField(_("影响行数"), default=0)

    class Meta:
        verbose_name = _("批处理分段")
        verbose_name_plural = _("批处理分段")
        ordering = ["run", "name", "part"]
        constraints = [models.UniqueConstraint(fields=["run", "name", "part"], name="cob_part_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run.business_date} {self.get_name_display()} {self.part}"


class DailyLoanStatus(models.Model):
    loan = models.OneToOneField(
        "lending.Loan",
        verbose_name=_("贷款"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="cob_status",
        db_constraint=False,
    )
    overdue_days = models.PositiveIntegerField(_("逾期天数"), default=0)
    bucket = models.CharField(_("逾期分组"), max_length=8, choices=Bucket.choices, default=Bucket.CURRENT)
    first_unpaid_due = models.DateField(_("最早逾期应还日"), null=True, blank=True)
    outstanding_principal = models.DecimalField(_("业务日本金余额"), default=0, **MONEY)
    compensation_eligible = models.BooleanField(_("可申请代偿"), default=False)
    compensation_eligible_since = models.DateField(_("可申请代偿起始日"), null=True, blank=True)
    maturity_reminded_on = models.DateField(_("到期提醒日期"), null=True, blank=True)
    prev_bucket = models.CharField(_("上一逾期分组"), max_length=8, choices=Bucket.choices, default=Bucket.CURRENT)
    bucket_changed_on = models.DateField(_("分组变动日期"), null=True, blank=True)
    as_of = models.DateField(_("最近更新业务日期"))

    class Meta:
        verbose_name = _("贷款日终状态")
        verbose_name_plural = _("贷款日终状态")
        ordering = ["-overdue_days"]
        constraints = [
            models.CheckConstraint(condition=Q(bucket__in=Bucket.values), name="cob_dailyloanstatus_bucket_valid"),
            models.CheckConstraint(
                condition=Q(compensation_eligible=False) | Q(compensation_eligible_since__isnull=False),
                name="cob_dailyloanstatus_eligible_has_since",
            ),
        ]
        indexes = [models.Index(fields=["bucket_changed_on"], name="cob_dailyloanstatus_changed_on")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.overdue_days}"


class BucketChange(models.Model):
    loan = models.ForeignKey(
        "lending.Loan", verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="bucket_changes"
    )
    business_date = models.DateField(_("业务日期"))
    from_bucket = models.CharField(_("原分组"), max_length=8, choices=Bucket.choices)
    to_bucket = models.CharField(_("新分组"), max_length=8, choices=Bucket.choices)
    overdue_days = models.PositiveIntegerField(_("逾期天数"))

    class Meta:
        verbose_name = _("逾期分组变动")
        verbose_name_plural = _("逾期分组变动")
        ordering = ["-business_date", "loan"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "business_date"], name="cob_bucketchange_once_per_day"),
        ]
        indexes = [models.Index(fields=["business_date"], name="cob_bucketchange_date")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.from_bucket} → {self.to_bucket}"


class CobFlag(models.Model):
    business_date = models.DateField(_("业务日期"))
    kind = models.CharField(_("类别"), max_length=24, choices=FlagKind.choices)
    subject = models.CharField(_("对象"), max_length=64, help_text=_("银行代码、补充申请编号、协议编号或地区代码"))
    subject_name = models.CharField(_("对象名称"), max_length=200, blank=True)
    amount = models.DecimalField(_("金额"), null=True, blank=True, **MONEY)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    detail = models.JSONField(_("明细"), default=dict)

    class Meta:
        verbose_name = _("日终提示")
        verbose_name_plural = _("日终提示")
        ordering = ["-business_date", "kind", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["business_date", "kind", "subject"], name="cob_flag_once_per_day"),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="cob_flag_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.get_kind_display()} {self.subject}"


class PoolSnapshot(models.Model):
    """SPEC §4 figures at the end of a business date; ``districts``, ``banks``, ``buckets`` and ``counts`` hold
    amounts as decimal strings."""

    business_date = models.DateField(_("业务日期"), unique=True)
    policy_version = models.CharField(_("政策版本"), max_length=40)
    pool_funds = models.DecimalField(_("资金池资金"), **MONEY)
    net_compensation = models.DecimalField(_("代偿净额累计"), **MONEY)
    pool_balance = models.DecimalField(_("资金池余额"), **MONEY)
    credit_capacity = models.DecimalField(_("授信额度"), **MONEY)
    outstanding_principal = models.DecimalField(_("在贷余额"), **MONEY)
    available_capacity = models.DecimalField(_("可用额度"), **MONEY)
    compensation_ratio = models.DecimalField(_("代偿比例"), max_digits=9, decimal_places=6)
    suspension_threshold = models.DecimalField(_("暂停阈值"), max_digits=7, decimal_places=6)
    suspended = models.BooleanField(_("暂停新增业务"))
    resume_replenishment = models.DecimalField(_("恢复业务所需补充资金"), **MONEY)
    active_loans = models.PositiveIntegerField(_("在贷笔数"))
    overdue_loans = models.PositiveIntegerField(_("逾期笔数"))
    overdue_principal = models.DecimalField(_("逾期贷款本金余额"), **MONEY)
    compensation_eligible_loans = models.PositiveIntegerField(_("可申请代偿笔数"))
    late_notices = models.PositiveIntegerField(_("逾期告知笔数"))
    pending_approvals = models.PositiveIntegerField(_("待审批事项"))
    flags = models.PositiveIntegerField(_("日终提示数"))
    districts = models.JSONField(_("各地区"), default=list)
    banks = models.JSONField(_("各合作银行"), default=list)
    buckets = models.JSONField(_("逾期分组"), default=dict)
    counts = models.JSONField(_("计数明细"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("资金池日终快照")
        verbose_name_plural = _("资金池日终快照")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"{self.business_date} B={self.pool_balance}"
