"""The chart of accounts: every account code the programme posts to is named here, once (SPEC §4; the postings
themselves are tabled in riskfund/ledger/models.py).

Two accounts of the pool itself, and four families with one account per funder or per bank (the family's prefix
followed by the funder's or the bank's code):

======================  =============  =======================================================================
code                    normal side    what it holds
======================  =============  =======================================================================
``pool:special``        debit          the special account at the custodian bank (art. 11)
``pool:interest``       credit         interest rolled into the pool (art. 12)
``funder:<funder>``     credit         money a funder paid in, replenishments included (art. 8, 13, 38)
``loss:<funder>``       debit          the pool-share losses a funder bears, less its share of recoveries (art. 32–34)
``deposit:<bank>``      debit          the risk-compensation deposit placed at a bank (art. 16)
``payable:<bank>``      credit         the pool's share of a compensation its deposit did not cover (art. 32)
======================  =============  =======================================================================

The prefixes serve the selectors that read a whole family (``balances_by_prefix(FUNDER)``,
``balances_on(on, prefixes=(FUNDER, LOSS))``); the functions give one member's code.
"""

SPECIAL = "pool:special"
INTEREST = "pool:interest"
FUNDER = "funder:"
LOSS = "loss:"
DEPOSIT = "deposit:"
PAYABLE = "payable:"


def funder_account(funder_code: str) -> str:
    return FUNDER + funder_code


def loss_account(funder_code: str) -> str:
    return LOSS + funder_code


def deposit_account(bank_code: str) -> str:
    return DEPOSIT + bank_code


def payable_account(bank_code: str) -> str:
    return PAYABLE + bank_code
