"""From rows to facts: each dated thing a book says happened, with what it needs and where it goes in time.

A row may say several things — an agreement row is signed, perhaps ended, perhaps its deposit returned; a
recommendation row is an application, a form, two opinions — each a ``Fact`` on its own date, applied in the
order they happened (``order``): by date, then within a day injections, agreements, interest, the pipeline,
repayments of earlier loans, new loans (with their schedules and counter-guarantees), repayments of same-day
loans, post-loan events, compensations, settlements, recoveries, top-ups, agreement ends and deposit returns.
Replaying the book in time this way makes every limit (art. 9, 13, 22) and the suspension (art. 37) judged on
the state the programme was in when it happened.

A fact ``creates`` a key (``("loan", bank, contract)``) and ``needs`` others, each with the column to blame
when it is found neither in the file nor in riskfund. A row with a bad cell makes no facts: its problems are
already reported, and whatever needs what it would have made is skipped without a second error. Facts on one
loan form a chain (``loan``): once one fails, the later ones are skipped, so one mistake is one error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .problems import Problem, problem
from .reader import Book, BookRow

RANK = {
    name: rank
    for rank, name in enumerate(
        [
            "bank",
            "guarantor",
            "enterprise",
            "injection",
            "agreement_sign",
            "interest",
            "application",
            "recommendation",
            "dd_bank",
            "dd_guarantor",
            "repayment",
            "loan",
            "repayment_same_day",
            "event",
            "compensation",
            "payable_settle",
            "recovery",
            "topup_request",
            "topup_approve",
            "topup_execute",
            "agreement_end",
            "deposit_return",
        ]
    )
}
UNDATED = date.min


@dataclass(eq=False)
class Fact:
    kind: str
    row: BookRow
    on: date | None
    creates: tuple | None = None
    needs: list[tuple[tuple, str]] = field(default_factory=list)
    date_field: str = ""
    loan: tuple | None = None
    parts: dict[str, list[BookRow]] = field(default_factory=dict)
    status: str = "new"  # new → done | failed | skipped; or existing (already in riskfund)
    rank_kind: str = ""

    def order(self) -> tuple:
        return (self.on or UNDATED, RANK[self.rank_kind or self.kind], self.row.sheet.title, self.row.row)

    @property
    def label(self) -> str:
        return f"{self.row.sheet.title} {self.row.row}"


@dataclass
class Plan:
    facts: list[Fact]
    problems: list[Problem]
    made_by: dict[tuple, Fact | None]  # key → the fact that makes it (None: a row with a bad cell)


def loan_key(row: BookRow) -> tuple:
    return ("loan", row["bank"], row["contract_no"])


def plan_book(book: Book) -> Plan:
    """The facts of every row without a bad cell, duplicates within the file refused (the later row named)."""
    plan = Plan(facts=[], problems=list(book.problems), made_by={})
    seen: dict[tuple, BookRow] = {}

    def unique(row: BookRow, key: tuple, field_key: str) -> bool:
        """False (and a problem) when ``key`` was already made by an earlier row of the file."""
        if key in seen:
            first = seen[key]
            plan.problems.append(
                problem(
                    sheet=row.sheet.title,
                    row=row.row,
                    column=row.letter(field_key),
                    field=field_key,
                    code="import_duplicate_row",
                    zh=f"与第 {first.row} 行相同",
                    en=f"the same as row {first.row}",
                )
            )
            return False
        seen[key] = row
        return True

    def add(fact: Fact) -> Fact:
        plan.facts.append(fact)
        if fact.creates is not None:
            plan.made_by[fact.creates] = fact
        return fact

    def unusable(*keys: tuple) -> None:
        for key in keys:
            plan.made_by.setdefault(key, None)

    _injections(book, add, unique, unusable)
    _interest(book, add, unique, unusable)
    _agreements(book, add, unique, unusable)
    _topups(book, add, unique, unusable)
    _enterprises(book, add, unique, unusable)
    _recommendations(book, add, unique, unusable, plan)
    _loans(book, add, unique, unusable, plan)
    _loan_events(book, add, unique, unusable)
    return plan


def _injections(book, add, unique, unusable) -> None:
    for row in book.of("injection"):
        key = ("injection", row["reference"])
        if row["reference"] is not None and not unique(row, key, "reference"):
            continue
        if not row.ok:
            unusable(key)
            continue
        add(Fact("injection", row, row["paid_on"], creates=key, date_field="paid_on"))


def _interest(book, add, unique, unusable) -> None:
    for row in book.of("interest"):
        key = ("interest", row["reference"])
        if row["reference"] is not None and not unique(row, key, "reference"):
            continue
        if not row.ok:
            unusable(key)
            continue
        fact = Fact("interest", row, row["credited_on"], creates=key, date_field="credited_on")
        if row["account"] != "special":
            fact.needs.append((("bank", row["account"]), "account"))
        add(fact)


def _agreements(book, add, unique, unusable) -> None:
    named: set[tuple] = set()
    for row in sorted(book.of("agreement"), key=lambda r: (r["signed_on"] or UNDATED, r.row)):
        key = ("agreement", row["bank"], row["signed_on"])
        if None not in key and not unique(row, key, "signed_on"):
            continue
        if not row.ok:
            unusable(key, ("bank", row["bank"]), ("guarantor", row["guarantor"]))
            continue
        for kind, code, name in (("bank", row["bank"], row["bank_name"]), ("guarantor", row["guarantor"], None)):
            party = (kind, code)
            if party not in named:
                named.add(party)
                name = name if kind == "bank" else row["guarantor_name"]
                add(Fact(kind, row, None, creates=party, parts={"name": name}))
        sign = add(
            Fact(
                "agreement_sign",
                row,
                row["signed_on"],
                creates=key,
                needs=[(("bank", row["bank"]), "bank"), (("guarantor", row["guarantor"]), "guarantor")],
                date_field="signed_on",
            )
        )
        if row["ended_on"] is not None:
            add(Fact("agreement_end", row, row["ended_on"], needs=[(sign.creates, "signed_on")], date_field="ended_on"))
            if row["returned_on"] is not None:
                add(
                    Fact(
                        "deposit_return",
                        row,
                        row["returned_on"],
                        needs=[(sign.creates, "signed_on")],
                        date_field="returned_on",
                    )
                )


def _topups(book, add, unique, unusable) -> None:
    for row in book.of("topup"):
        key = ("topup", row["bank"], row["requested_on"], row["requested_amount"])
        if None not in key and not unique(row, key, "requested_on"):
            continue
        if not row.ok:
            unusable(key)
            continue
        request = add(
            Fact(
                "topup_request",
                row,
                row["requested_on"],
                creates=key,
                needs=[(("bank", row["bank"]), "bank")],
                date_field="requested_on",
            )
        )
        if row["approved_on"] is not None:
            approve = add(
                Fact(
                    "topup_approve",
                    row,
                    row["approved_on"],
                    creates=(*key, "approved"),
                    needs=[(request.creates, "requested_on")],
                    date_field="approved_on",
                )
            )
            if row["executed_on"] is not None:
                needs = [(approve.creates, "approved_on")]
                add(Fact("topup_execute", row, row["executed_on"], needs=needs, date_field="executed_on"))


def _enterprises(book, add, unique, unusable) -> None:
    for row in book.of("enterprise"):
        key = ("enterprise", row["uscc"])
        if row["uscc"] is not None and not unique(row, key, "uscc"):
            continue
        if not row.ok:
            unusable(key)
            continue
        add(Fact("enterprise", row, None, creates=key))


def application_key(row: BookRow) -> tuple:
    if row["form_no"]:
        return ("application", "form", row["form_no"])
    return ("application", row["enterprise"], row["submitted_on"], row["applied_amount"])


RECOMMENDATION_FIELDS = ("issued_on", "bank", "guarantor", "amount", "bank_opinion", "guarantor_opinion")


def _recommendations(book, add, unique, unusable, plan: Plan) -> None:
    for row in book.of("recommendation"):
        form_no = row["form_no"]
        filled = [key for key in RECOMMENDATION_FIELDS if row[key] is not None]
        if form_no is None and filled and row.ok:
            plan.problems.append(
                problem(
                    sheet=row.sheet.title,
                    row=row.row,
                    column=row.letter("form_no"),
                    field="form_no",
                    code="import_bad_value",
                    zh="填写了推荐内容但没有推荐表编号",
                    en=f"a recommendation ({', '.join(filled)}) needs its form number",
                )
            )
            continue
        rec_key = ("recommendation", form_no)
        if form_no is not None and not unique(row, rec_key, "form_no"):
            continue
        if not row.ok:
            unusable(rec_key, ("dd_bank", form_no), ("dd_guarantor", form_no))
            continue
        application = add(
            Fact(
                "application",
                row,
                row["submitted_on"],
                creates=application_key(row),
                needs=[(("enterprise", row["enterprise"]), "enterprise")],
                date_field="submitted_on",
            )
        )
        if form_no is None:
            continue
        recommendation = add(
            Fact(
                "recommendation",
                row,
                row["issued_on"],
                creates=rec_key,
                needs=[
                    (application.creates, "submitted_on"),
                    (("bank", row["bank"]), "bank"),
                    (("guarantor", row["guarantor"]), "guarantor"),
                ],
                date_field="issued_on",
            )
        )
        for party in ("bank", "guarantor"):
            if row[f"{party}_opinion"] is not None:
                add(
                    Fact(
                        f"dd_{party}",
                        row,
                        row[f"{party}_reported_on"],
                        creates=(f"dd_{party}", form_no),
                        needs=[(recommendation.creates, "form_no")],
                        date_field=f"{party}_reported_on",
                    )
                )


def _loans(book, add, unique, unusable, plan: Plan) -> None:
    parts: dict[tuple, dict[str, list[BookRow]]] = defaultdict(lambda: {"schedule": [], "counter_guarantee": []})
    for kind in ("schedule", "counter_guarantee"):
        for row in book.of(kind):
            parts[loan_key(row)][kind].append(row)
    agreements: dict[str, list[tuple]] = defaultdict(list)  # the agreements the file holds, by bank
    for made in plan.made_by:
        if made[0] == "agreement":
            agreements[made[1]].append(made)
    for row in book.of("loan"):
        key = loan_key(row)
        if None not in key and not unique(row, key, "contract_no"):
            continue
        own = parts.get(key, {"schedule": [], "counter_guarantee": []})
        if not row.ok or not all(part.ok for rows in own.values() for part in rows):
            unusable(key)
            continue
        needs = [(("recommendation", row["form_no"]), "form_no"), (("bank", row["bank"]), "bank")]
        # the opinions and agreements the file itself holds: when one of them fails, the loan waits (no cascade)
        needs += [
            (k, "form_no") for k in (("dd_bank", row["form_no"]), ("dd_guarantor", row["form_no"])) if k in plan.made_by
        ]
        needs += [(k, "bank") for k in agreements[row["bank"]] if k[2] is None or k[2] <= row["disbursed_on"]]
        fact = Fact("loan", row, row["disbursed_on"], creates=key, needs=needs, date_field="disbursed_on", loan=key)
        fact.parts = own
        add(fact)
    loans_in_file = {loan_key(r) for r in book.of("loan")}
    for kind in ("schedule", "counter_guarantee"):
        for row in book.of(kind):
            if row.ok and loan_key(row) not in loans_in_file:
                # lines of a loan already in riskfund go with it (named as already there), else unknown
                line = Fact(f"{kind}_line", row, None, needs=[(loan_key(row), "contract_no")], loan=loan_key(row))
                line.rank_kind = "loan"
                add(line)


def _loan_events(book, add, unique, unusable) -> None:
    disbursed = {loan_key(r): r["disbursed_on"] for r in book.of("loan") if r.ok}
    specs = (
        ("repayment", "paid_on"),
        ("event", "occurred_on"),
        ("compensation", "deducted_on"),
        ("recovery", "recovered_on"),
    )
    for kind, date_field in specs:
        for row in book.of(kind):
            key = loan_key(row)
            if (
                kind == "compensation"
                and None not in key
                and not unique(row, ("compensation", *key[1:]), "contract_no")
            ):
                continue
            if not row.ok:
                if kind == "compensation":
                    unusable(("compensation", *key[1:]))
                continue
            fact = Fact(kind, row, row[date_field], needs=[(key, "contract_no")], date_field=date_field, loan=key)
            if kind == "repayment" and disbursed.get(key) == row["paid_on"]:
                fact.rank_kind = "repayment_same_day"
            if kind == "compensation":
                fact.creates = ("compensation", *key[1:])
            if kind == "recovery":
                fact.needs.append((("compensation", *key[1:]), "contract_no"))
            add(fact)
            if kind == "compensation" and row["settled_on"] is not None:
                needs = [(fact.creates, "settled_on")]
                add(Fact("payable_settle", row, row["settled_on"], needs=needs, date_field="settled_on", loan=key))


def describe_key(key: tuple[Any, ...]) -> str:
    return " ".join(str(part) for part in key[1:])
