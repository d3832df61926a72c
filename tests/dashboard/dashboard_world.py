"""A small demo portfolio for the dashboard and browser tests, built by the demo loader through the services
(tools/demo/portfolio.py), without the daily job for every day: three closes of business at the end give the
history charts their points."""

from datetime import date, timedelta

from riskfund.cob.services import cob_run
from riskfund.policy.seed import seed_reference_data
from riskfund.pool.seed import seed_pool
from tools.demo.cast import DEMO_PASSWORDS, demo_users
from tools.demo.portfolio import PortfolioBuilder

UNTIL = date(2025, 9, 30)
TODAY = date(2025, 10, 1)


def build_demo(*, enterprises: int = 30, until: date = UNTIL) -> dict[str, int]:
    seed_reference_data()
    seed_pool()
    demo_users()
    counts = PortfolioBuilder(enterprises=enterprises, until=until, today=TODAY, cob=False, log=lambda _: None).run()
    for back in (2, 1, 0):
        cob_run(business_date=until - timedelta(days=back), today=TODAY)
    return counts


__all__ = ["DEMO_PASSWORDS", "TODAY", "UNTIL", "build_demo"]
