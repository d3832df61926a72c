"""Set every running figure from what the rows imply, set-wise (one UPDATE per table, sums computed in SQL).

- ``ledger_account.balance`` = Σ entries on the account's normal side (what ``verify_ledger`` recomputes) — on
  PostgreSQL only when the entries were COPY'd past the triggers (a superuser); otherwise the entry-insert trigger
  has kept them already and refuses the UPDATE (riskfund/ledger/migrations/0003);
- ``pool_poolstate``: F = Σ funder:* + pool:interest, N = Σ loss:*, B = pool:special + Σ deposit:* − Σ payable:*,
  outstanding = Σ outstanding principal of active loans; ``suspended`` ⇔ N ≥ threshold × F (art. 37);
- ``parties_funder``: outstanding of the district's active loans, first payment date, replenishments;
- ``parties_bank``: outstanding and number of active loans;
- ``parties_enterprise.dishonest`` for every enterprise with a listing and no later lifting.

The statements are plain correlated subqueries, so the same SQL runs on PostgreSQL and SQLite.
"""

# Statements are assembled from constant fragments only; the one value (now) is a bound parameter.
# ruff: noqa: S608

from django.db import connection
from django.utils import timezone

from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.models import PoolState
from riskfund.pool.selectors import is_suspended

from .bulk import may_bypass_triggers

ACCOUNT_BALANCES = """
UPDATE ledger_account SET balance = COALESCE((
    SELECT SUM(CASE WHEN e.side = ledger_account.normal_side THEN e.amount ELSE -e.amount END)
    FROM ledger_entry e WHERE e.account_id = ledger_account.id
), 0)
"""


def _sum_balances(where: str) -> str:
    return f"(SELECT COALESCE(SUM(balance), 0) FROM ledger_account WHERE {where})"


POOL_STATE = f"""
UPDATE pool_poolstate SET
    pool_funds = {_sum_balances("code LIKE 'funder:%%' OR code = 'pool:interest'")},
    net_compensation = {_sum_balances("code LIKE 'loss:%%'")},
    pool_balance = {_sum_balances("code = 'pool:special' OR code LIKE 'deposit:%%'")}
                   - {_sum_balances("code LIKE 'payable:%%'")},
    outstanding_principal = (SELECT COALESCE(SUM(outstanding_principal), 0) FROM lending_loan WHERE status = 'active'),
    updated_at = %(now)s
WHERE id = 1
"""

FUNDER_OUTSTANDING = """
UPDATE parties_funder SET outstanding_principal = COALESCE((
    SELECT SUM(l.outstanding_principal) FROM lending_loan l
    WHERE l.district_id = parties_funder.code AND l.status = 'active'
), 0)
"""

FUNDER_PAYMENTS = """
UPDATE parties_funder SET
    first_paid_on = (
        SELECT MIN(i.paid_on) FROM pool_injection i WHERE i.funder_id = parties_funder.code AND i.reversal_id IS NULL
    ),
    replenished_total = COALESCE((
        SELECT SUM(i.amount) FROM pool_injection i
        WHERE i.funder_id = parties_funder.code AND i.reversal_id IS NULL AND i.kind = 'replenishment'
    ), 0)
"""

BANKS = """
UPDATE parties_bank SET
    outstanding_principal = COALESCE((
        SELECT SUM(l.outstanding_principal) FROM lending_loan l
        WHERE l.bank_id = parties_bank.id AND l.status = 'active'
    ), 0),
    active_loans = (SELECT COUNT(*) FROM lending_loan l WHERE l.bank_id = parties_bank.id AND l.status = 'active')
"""

DISHONEST = """
UPDATE parties_enterprise SET dishonest = (
    SELECT r.action = 'listed' FROM parties_dishonestrecord r
    WHERE r.enterprise_id = parties_enterprise.id ORDER BY r."on" DESC, r.created_at DESC LIMIT 1
)
WHERE id IN (SELECT enterprise_id FROM parties_dishonestrecord)
"""

# PostgreSQL: the same figures with one grouped scan of the loans instead of one subquery per funder / bank.
PG_FUNDER_OUTSTANDING = """
UPDATE parties_funder f SET outstanding_principal = COALESCE(s.total, 0)
FROM parties_funder f2 LEFT JOIN (
    SELECT district_id, SUM(outstanding_principal) AS total FROM lending_loan WHERE status = 'active'
    GROUP BY district_id
) s ON s.district_id = f2.code
WHERE f.code = f2.code
"""
PG_BANKS = """
UPDATE parties_bank b SET outstanding_principal = COALESCE(s.total, 0), active_loans = COALESCE(s.n, 0)
FROM parties_bank b2 LEFT JOIN (
    SELECT bank_id, SUM(outstanding_principal) AS total, COUNT(*) AS n FROM lending_loan WHERE status = 'active'
    GROUP BY bank_id
) s ON s.bank_id = b2.id
WHERE b.id = b2.id
"""


def counters_from_rows() -> None:
    """Run every UPDATE of the module docstring (inside the caller's transaction), then the suspension flag."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if not postgres:
            cursor.execute(ACCOUNT_BALANCES)
        elif may_bypass_triggers():
            # entries COPY'd past the triggers moved no balance; the balance guard refuses this UPDATE unless bypassed
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(ACCOUNT_BALANCES)
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(POOL_STATE, {"now": timezone.now()})
        cursor.execute(FUNDER_PAYMENTS)
        if postgres:
            cursor.execute(PG_FUNDER_OUTSTANDING)
            cursor.execute(PG_BANKS)
        else:
            cursor.execute(FUNDER_OUTSTANDING)
            cursor.execute(BANKS)
        cursor.execute(DISHONEST)
    state = PoolState.objects.get(pk=1)
    threshold = policy_for_pool(timezone.localdate()).suspension_threshold
    suspended = is_suspended(state.pool_funds, state.net_compensation, threshold)
    if suspended != state.suspended:
        PoolState.objects.filter(pk=1).update(suspended=suspended)
