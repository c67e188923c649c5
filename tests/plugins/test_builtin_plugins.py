"""The built-in department plugins load from their entry points, and each can be
disabled by name: its pages, jobs and panels go, and nothing else breaks."""

from __future__ import annotations

import pytest
from flask import Flask

from servicedesk import create_app
from servicedesk.jobs import queue_of
from servicedesk.plugins import describe
from servicedesk.state import app_state
from servicedesk.testing import FreshContextClient

BUILT_IN = ("training", "satisfaction", "escalation")


def installed_app(app: Flask, *disabled: str) -> Flask:
    """An app on the test database with the installed plugins, minus ``disabled``."""
    config = dict(app.config) | {"DISABLED_PLUGINS": ",".join(disabled)}
    built = create_app(config)
    built.test_client_class = FreshContextClient
    return built


def owned_by(name: str, app: Flask) -> dict[str, list[str]]:
    """What plugin ``name`` put into ``app``: URL rules, jobs, menu and hooks."""
    with app.app_context():
        jobs = queue_of(app).jobs.values()
        plugins = describe(app_state(app).plugin_manager)
        rules = app.url_map.iter_rules()
        return {
            "rules": [rule.rule for rule in rules if rule.endpoint.startswith(f"{name}.")],
            "jobs": [job.name for job in jobs if job.run.__module__.startswith(_module(name))],
            "listed": [info.name for info in plugins if info.name == name],
        }


def _module(name: str) -> str:
    return f"servicedesk_plugins.{name}"


def test_servicedesk_plugins_lists_the_three_with_their_hooks(app):
    installed = installed_app(app)
    with installed.app_context():  # else the command would use the test's own app
        result = installed.test_cli_runner().invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in BUILT_IN:
        heading = next(i for i, line in enumerate(lines) if line.startswith(f"{name}  "))
        assert lines[heading].endswith("(built-in)")
        assert "register_blueprints" in lines[heading + 1]
        assert "migration_locations" in lines[heading + 1]


def test_each_plugin_brings_pages_and_the_scanners_their_jobs(app):
    full = installed_app(app)
    for name in BUILT_IN:
        assert owned_by(name, full)["rules"], name
        assert owned_by(name, full)["listed"] == [name]
    assert owned_by("satisfaction", full)["jobs"]
    assert owned_by("escalation", full)["jobs"]


@pytest.mark.parametrize("name", BUILT_IN)
def test_disabling_one_removes_it_and_nothing_else(app, name, make_user, make_ticket):
    others = [other for other in BUILT_IN if other != name]
    without = installed_app(app, name)
    assert owned_by(name, without) == {"rules": [], "jobs": [], "listed": []}
    for other in others:
        assert owned_by(other, without)["listed"] == [other]
        assert owned_by(other, without)["rules"]

    # The centre still works: the public form, a submission, the desk.
    client = without.test_client()
    with without.app_context():
        assert client.get("/").status_code == 200
        ticket = make_ticket(kind="training").ticket
        # Without the training plugin a training request waits in intake for a person.
        assert ticket.department.code == ("intake" if name == "training" else "training")
        agent = make_user(role="admin")
        client.post("/desk/login", data={"email": agent.email, "password": "correct horse battery"})
        page = client.get(f"/desk/tickets/{ticket.reference}")
        assert page.status_code == 200
        assert ticket.subject in page.text
        assert client.get(f"/{name}/").status_code == 404
