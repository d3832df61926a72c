"""The generated compensations and what follows them, posted as ``riskfund.claims.services`` posts them.

- Compensation (SPEC §10, art. 32): loss = the outstanding on the deduction date, shares 40:20:40 and the pool
  share's split 30:30:40 by ``allocate``; posted loss:region, loss:city, loss:<district> ← deposit:<bank> and, for
  what the deposit did not cover, payable:<bank>; the enterprise listed (art. 36).
- Of the compensated loans (fate slots 0 and 1 of ``portfolio``), slot 0 gets recoveries — one, or two on every
  other hundred loans — and slot 1 a payable: the bank's deposit covered half the pool share, the rest is owed to
  the bank, unpaid, or settled (payable:<bank> ← pool:special) on every other hundred loans.
- Recovery (SPEC §11, art. 33, 34): net = gross − a litigation cost; the shares are cumulative, as the service
  computes them: allocate(C′) − allocate(C) with C and C′ the net recovered before and after, and the pool split
  likewise; posted deposit:<bank> ← loss:region, loss:city, loss:<district>.
"""

from datetime import date, timedelta
from decimal import Decimal

from riskfund.ledger.chart import SPECIAL, deposit_account, loss_account, payable_account
from riskfund.ledger.models import Side
from riskfund.money import ZERO, allocate

from .bulk import BulkWriter
from .tables import fen

RECOVERY_SLOT, PAYABLE_SLOT = 0, 1  # i mod 100 of a compensated loan


def _post(book, writer: BulkWriter, *, kind: str, day: date, legs: list, description: str, reference: str) -> str:
    """One balanced ledger transaction: ``legs`` are (account code, side, Decimal amount); zero legs are left out."""
    txn = book.uuid()
    writer.add(book.t.transaction, (txn, kind, day, book.stamp(day), description, reference))
    for code, side, amount in legs:
        if amount > 0:
            writer.add(book.t.entry, (txn, book.accounts[code], side.value, amount))
    return txn


def _loss_legs(side: Side, district: str, split: list[Decimal]) -> list:
    region, city, district_part = split
    return [
        (loss_account("region"), side, region),
        (loss_account("city"), side, city),
        (loss_account(district), side, district_part),
    ]


def _minus(after: list[Decimal], before: list[Decimal]) -> list[Decimal]:
    return [a - b for a, b in zip(after, before, strict=True)]


def _later(book, day: date) -> date:
    """A seeded day from ``day`` to the portfolio's date."""
    return day + timedelta(days=book.rng.randint(0, max(0, (book.as_of - day).days)))


def compensate(
    book,
    writer: BulkWriter,
    *,
    loan: str,
    bank,
    enterprise: str,
    district: str,
    deducted: date,
    first_unpaid: date,
    loss: int,
    i: int,
) -> None:
    """The compensation of loan ``i`` (``loss`` in fens) and its follow-up (see the module docstring)."""
    t, policy = book.t, book.policy
    share_pool, share_bank, share_guarantor = allocate(fen(loss), policy.loss_weights)
    split = allocate(share_pool, policy.split_weights)
    pool_fens = int(share_pool.scaleb(2))
    to_payable = fen(pool_fens - pool_fens // 2) if i % 100 == PAYABLE_SLOT else ZERO
    from_deposit = share_pool - to_payable
    compensation = book.uuid()
    contract = f"HT{i:010d}"
    txn = _post(
        book,
        writer,
        kind="compensation",
        day=deducted,
        legs=[
            *_loss_legs(Side.DEBIT, district, split),
            (deposit_account(bank.code), Side.CREDIT, from_deposit),
            (payable_account(bank.code), Side.CREDIT, to_payable),
        ],
        description=f"代偿 {bank.code} {contract}",
        reference=str(compensation),
    )
    posted = book.stamp(deducted)
    writer.add(
        t.compensation,
        (
            compensation,
            loan,
            bank.id,
            district,
            policy.pk,
            deducted,
            (deducted - first_unpaid).days,
            fen(loss),
            share_pool,
            share_bank,
            share_guarantor,
            *split,
            from_deposit,
            to_payable,
            book.deadline(deducted),
            False,
            txn,
            posted,
        ),
    )
    reason = f"代偿：{bank.code} {contract}，损失 {fen(loss)}（第三十六条）"
    writer.add(t.dishonest, (book.uuid(), enterprise, "listed", deducted, "compensation", reason, posted))
    # art. 36 (SPEC §10): the compensation's listing proposal, decided "list" on the deduction date
    listed = "认定恶意逃避债务（生成的业务数据）"
    writer.add(t.listing, (book.uuid(), enterprise, compensation, "listed", deducted, deducted, listed, posted))
    book.totals.deposit_drawn[bank.id] += int(from_deposit.scaleb(2))
    book.totals.net_compensation += pool_fens
    second_round = (i // 100) % 2 == 1
    if to_payable > 0:
        _payable(
            book,
            writer,
            compensation=compensation,
            bank=bank,
            deducted=deducted,
            amount=to_payable,
            settle=second_round,
        )
    if i % 100 == RECOVERY_SLOT:
        _recoveries(
            book,
            writer,
            compensation=compensation,
            loan=loan,
            bank=bank,
            district=district,
            deducted=deducted,
            loss=loss,
            count=2 if second_round else 1,
            contract=contract,
        )


def _payable(book, writer: BulkWriter, *, compensation: str, bank, deducted: date, amount: Decimal, settle: bool):
    settled_on = txn = None
    if settle:
        settled_on = _later(book, deducted)
        legs = [(payable_account(bank.code), Side.DEBIT, amount), (SPECIAL, Side.CREDIT, amount)]
        txn = _post(
            book,
            writer,
            kind="payable_settlement",
            day=settled_on,
            legs=legs,
            description=f"支付代偿应付款 {bank.code}",
            reference=compensation,
        )
        book.totals.payables_settled += int(amount.scaleb(2))
    row = (book.uuid(), compensation, bank.id, amount, deducted, settled_on, txn, book.stamp(settled_on or deducted))
    writer.add(book.t.payable, row)


def _recoveries(
    book,
    writer: BulkWriter,
    *,
    compensation: str,
    loan: str,
    bank,
    district: str,
    deducted: date,
    loss: int,
    count: int,
    contract: str,
) -> None:
    weights, split_weights = book.policy.loss_weights, book.policy.split_weights
    before, day = ZERO, deducted
    for _ in range(count):
        day = _later(book, day)
        gross = loss * book.rng.randint(10, 40) // 100  # two at most: never more than the loss
        cost = gross // 20
        after = before + fen(gross - cost)
        shares_before, shares_after = allocate(before, weights), allocate(after, weights)
        shares = _minus(shares_after, shares_before)
        split = _minus(allocate(shares_after[0], split_weights), allocate(shares_before[0], split_weights))
        txn = None
        if shares[0] > 0:
            legs = [(deposit_account(bank.code), Side.DEBIT, shares[0]), *_loss_legs(Side.CREDIT, district, split)]
            txn = _post(
                book,
                writer,
                kind="recovery",
                day=day,
                legs=legs,
                description=f"追偿 {bank.code} {contract}",
                reference=compensation,
            )
        row = (
            book.uuid(),
            loan,
            compensation,
            day,
            fen(gross),
            fen(cost),
            after - before,
            after,
            *shares,
            *split,
            txn,
            book.stamp(day),
        )
        writer.add(book.t.recovery, row)
        pool_fens = int(shares[0].scaleb(2))
        book.totals.net_compensation -= pool_fens
        book.totals.deposit_drawn[bank.id] -= pool_fens
        before = after
