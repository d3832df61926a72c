from imports_world import TODAY, balances, small_book, xlsx

from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book


def test_small_book(world):
    result = import_book(file=xlsx(small_book()), scope=Scope(), today=TODAY, commit=True)
    outcome = result["outcome"]
    for p in outcome.problems:
        print(p)
    print(outcome.written, outcome.existing, outcome.skipped)
    print(result["preview"])
    print(balances())
    assert not outcome.problems
