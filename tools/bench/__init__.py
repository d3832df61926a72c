"""Scale tooling: ``generate_portfolio`` (a consistent synthetic portfolio, COPY on PostgreSQL) and ``bench``
(``make bench``: every figure of BENCHMARKS.md against a bare baseline on the same machine)."""
