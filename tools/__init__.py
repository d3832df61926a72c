"""Development-only tooling, outside the runtime core: the demo loader (``tools.demo``, ``make demo``) and the
benchmarks (``tools.bench``, ``make bench``). riskfund/settings.py installs these apps in development and test
settings only (``DJANGO_DEBUG`` on); production never loads them, and no riskfund or banks module imports them."""
