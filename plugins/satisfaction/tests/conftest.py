"""Fixtures for the satisfaction plugin's tests: an app with the plugin, and a
ticket resolved the way the desk resolves one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from satisfaction_support import T0

import servicedesk_plugins.satisfaction as satisfaction
from servicedesk import clock
from servicedesk.services import tickets


@pytest.fixture
def app_plugins():
    return [satisfaction]


@pytest.fixture
def agent(make_user):
    """An agent of intake, where new tickets start."""
    return make_user(role="agent", departments=("intake",))


@pytest.fixture
def resolved(make_ticket, agent):
    """A ticket filed, taken and resolved by the intake agent at T0."""
    with clock.at(T0 - timedelta(hours=2)):
        new = make_ticket()
        tickets.assign(new.ticket.id, agent, agent.id, version=None)
    with clock.at(T0):
        tickets.resolve(new.ticket.id, agent, version=None)
    return new
