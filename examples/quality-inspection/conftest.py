"""ServiceDesk's fixtures (app, client, auth, make_user, make_ticket ...) with this plugin."""

import pytest
import servicedesk_inspection

pytest_plugins = ["servicedesk.testing"]


@pytest.fixture
def app_plugins() -> list[object]:
    # The fixtures' app loads no installed plugins: register the one under test.
    return [servicedesk_inspection]
