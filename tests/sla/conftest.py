import pytest

from servicedesk import tiers
from servicedesk.sla.policies import seed_sla


@pytest.fixture
def sla_app(app):
    """The app with the default SLA calendar and policies and the core tier rule."""
    seed_sla()
    tiers.init_app(app)
    return app
