"""The pool's double-entry ledger (SPEC §4).

Accounts
    Each ``Account`` has a code and a normal side. Debit-normal: ``pool:special`` (the special account
    at the custodian bank, art. 11), ``deposit:<bank>`` (risk-compensation deposit placed at a bank,
    art. 16), ``loss:<funder>`` (pool-share losses borne by a funder, less its share of recoveries).
    Credit-normal: ``funder:<code>`` (money paid in), ``pool:interest`` (interest rolled into the pool,
    art. 12), ``payable:<bank>`` (pool share of a compensation not covered by the bank's deposit).
    The ledger itself knows nothing of loans or funders: the domain apps open accounts and post.
    The codes are named once, in riskfund/ledger/chart.py.

Transactions and entries
    A ``Transaction`` is one money movement: a business date, a kind, and two or more ``Entry`` rows,
    each a debit or a credit of a positive amount on one account. The postings of SPEC §4:

    ======================================  ==============================  ==========================
    event                                   debit                           credit
    ======================================  ==============================  ==========================
    injection / replenishment               pool:special                    funder:X
    deposit placed / topped up at bank B    deposit:B                       pool:special
    deposit returned (art. 18)              pool:special                    deposit:B
    interest credited                       pool:special or deposit:B       pool:interest
    compensation, pool share split r/c/d    loss:region, loss:city,         deposit:B (up to balance),
                                            loss:<district>                 payable:B (the rest)
    payable settled by the trustee          payable:B                       pool:special
    recovery, pool share split r/c/d        deposit:B (or pool:special)     loss:region, city, district
    ======================================  ==============================  ==========================

Invariants
    1. Every transaction balances: Σ debits = Σ credits.
    2. Entries and transactions are immutable: a mistake is fixed by a reversing transaction
       (``reverses`` points at the original; each transaction is reversed at most once).
    3. Every entry amount is positive (a zero part posts no entry).
    4. ``Account.balance`` is the running balance on the account's normal side, kept by the database itself: a
       trigger on entry insert moves the balances of the accounts the new entries touch (in the same database
       transaction, accounts locked in id order), so a balance is read in O(1); ``verify_ledger`` recomputes
       every balance from the entries and must agree.
    5. Entries belong to the moment their transaction is posted: none is added to it later.

    Python checks 1–3 first to give a clear error; the database refuses them too (migrations 0002, 0003).

    ==========================================  ==================================  ===============================
    tamper                                      PostgreSQL                          SQLite
    ==========================================  ==================================  ===============================
    unbalanced or empty transaction             refused at commit (deferred         not refused (no deferred
                                                constraint trigger)                 triggers; Python checks first)
    non-positive amount, unknown side           CHECK                               CHECK
    UPDATE of an entry or a transaction         refused (row trigger)               refused (row trigger)
    DELETE of an entry or a transaction         refused (row trigger)               not refused (Django's test
                                                                                    flush deletes)
    entries appended to a posted transaction    refused: each transaction row is    not refused (SQLite has no
                                                stamped with ``txid_current()``;    transaction id)
                                                entries only from that one
    TRUNCATE of a ledger table                  refused (statement trigger)         (SQLite has no TRUNCATE)
    UPDATE of ``balance`` not from an entry     refused (trigger depth 1)           not refused (no trigger depth);
                                                                                    ``verify_ledger`` reports it
    account opened with money, code or side     refused                             refused
    changed
    ==========================================  ==================================  ===============================

    A PostgreSQL superuser can still bypass every trigger (``session_replication_role = replica``, as pg_restore
    ``--disable-triggers``, the bench's bulk loader and the test flush do); the application's role cannot.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference

from .kinds import kind_label


class Side(models.TextChoices):
    DEBIT = "D", _("借方")
    CREDIT = "C", _("贷方")


class Account(models.Model):
    code = models.CharField(_("科目代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    normal_side = models.CharField(_("余额方向"), max_length=1, choices=Side.choices)
    balance = models.DecimalField(_("余额"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Transaction(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("业务类型"), max_length=40)
    business_date = models.DateField(_("业务日期"))
    posted_at = models.DateTimeField(_("记账时间"), auto_now_add=True, db_index=True)
    description = models.CharField(_("摘要"), max_length=300, blank=True)
    reference = models.CharField(_("关联单据"), max_length=100, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = user_reference(_("记账人"))

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["posted_at", "id"]
        indexes = [models.Index(fields=["business_date"])]

    def __str__(self) -> str:
        return f"{self.business_date} {kind_label(self.kind)} {self.description}".strip()


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("凭证"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    side = models.CharField(_("方向"), max_length=1, choices=Side.choices)
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_entry_amount_positive"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="ledger_entry_side_valid"),
        ]
        indexes = [models.Index(fields=["account", "transaction"])]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.account.code} {self.amount}"
