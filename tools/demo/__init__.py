"""The demo of ``make demo``: ``manage.py load_demo`` and the deterministic portfolio it builds through the services."""
