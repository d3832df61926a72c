import pytest
from dashboard_world import build_demo


@pytest.fixture
def demo(db):
    """The small demo portfolio (30 enterprises through 2025-09-30) and the demo users of every role."""
    return build_demo()
