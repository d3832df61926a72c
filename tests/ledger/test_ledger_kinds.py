"""Every kind of transaction a service posts reads as words in the ledger browser, a transaction's name and the audit
trail (riskfund/ledger/kinds.py): a new kind without a label would show its code to people."""

import re
from pathlib import Path

from riskfund.ledger.kinds import KIND_LABELS, kind_label
from riskfund.pool.models import InjectionKind

ROOT = Path(__file__).resolve().parents[2] / "riskfund"
POSTED = re.compile(r'\bkind="([a-z_]+)"')
POSTS = re.compile(r"\b(pool_post|pool_post_figures|transaction_post|deposit_place)\(")


def test_every_kind_a_service_posts_has_a_label():
    texts = [p.read_text(encoding="utf-8") for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    posting = [text for text in texts if POSTS.search(text)]
    posted = {kind for text in posting for kind in POSTED.findall(text)} | set(InjectionKind.values)
    assert {"interest", "compensation", "recovery", "deposit_adjustment", "injection"} <= posted
    assert posted <= set(KIND_LABELS), posted - set(KIND_LABELS)


def test_a_reversal_reads_as_the_reversal_of_its_kind():
    assert kind_label("injection_reversal") == "冲正：注资"
    assert kind_label("deposit_adjustment") == "抵押金调整"
