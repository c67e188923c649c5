"""The ``servicedesk`` command: init, create-user, run, and what --help lists."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from servicedesk import create_app, serving
from servicedesk.cli import main, operator_locale
from servicedesk.extensions import db
from servicedesk.models import Department, Role, Route, User
from servicedesk.services import users
from servicedesk.workflow.seed import DEPARTMENTS, ROUTES

ADMIN_ENV = ("SERVICEDESK_ADMIN_EMAIL", "SERVICEDESK_ADMIN_NAME", "SERVICEDESK_ADMIN_PASSWORD")
LANGUAGES = ["en", "zh_Hans_CN"]


@pytest.fixture(autouse=True)
def _operator_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The commands speak the operator's language; these tests read English.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", *ADMIN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    # FlaskGroup sets this for the whole process; keep it from leaking out.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database, as before the first ``servicedesk init``."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "fresh.db"),
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "test-secret-key",
        },
        load_entrypoints=False,
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN)))


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------
# --help
# --------------------------------------------------------------------------


def test_help_lists_our_commands_and_flask_migrates_db(runner):
    result = runner.invoke(main, ["--help"])

    assert result.exit_code == 0, result.output
    listed = set(re.findall(r"^  ([a-z][a-z-]*)\s", result.output.split("Commands:")[1], re.M))
    assert {"init", "create-user", "demo", "run", "db", "shell", "routes"} <= listed


def test_db_group_works_through_the_command(runner):
    result = runner.invoke(main, ["db", "--help"])

    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output


# --------------------------------------------------------------------------
# init
# --------------------------------------------------------------------------


def test_init_migrates_seeds_and_creates_the_admin_from_the_environment(fresh_app):
    env = {
        "SERVICEDESK_ADMIN_EMAIL": "Boss@Centre.example.com",
        "SERVICEDESK_ADMIN_NAME": "郑强",
        "SERVICEDESK_ADMIN_PASSWORD": "a long enough password",
    }
    result = fresh_app.test_cli_runner().invoke(args=["init"], env=env)

    assert result.exit_code == 0, result.output
    assert "Created the administrator boss@centre.example.com." in result.output
    assert _count(Department) == len(DEPARTMENTS)
    assert _count(Route) == len(ROUTES)
    [admin] = _admins()
    assert (admin.email, admin.name) == ("boss@centre.example.com", "郑强")
    assert {d.code for d in admin.departments} == {spec.code for spec in DEPARTMENTS}
    assert users.authenticate("boss@centre.example.com", "a long enough password") == admin


def test_init_options_win_over_the_environment(fresh_app):
    env = {"SERVICEDESK_ADMIN_EMAIL": "env@centre.example.com"}
    args = ["init", "--admin-email", "opt@centre.example.com", "--admin-name", "Opt"]
    args += ["--admin-password", "a long enough password"]

    result = fresh_app.test_cli_runner().invoke(args=args, env=env)

    assert result.exit_code == 0, result.output
    assert [a.email for a in _admins()] == ["opt@centre.example.com"]


def test_init_prompts_for_what_it_was_not_given(fresh_app):
    answers = "ask@centre.example.com\nAsked Admin\nsecret password\nsecret password\n"

    result = fresh_app.test_cli_runner().invoke(args=["init"], input=answers)

    assert result.exit_code == 0, result.output
    assert "secret password" not in result.output  # typed hidden
    assert users.authenticate("ask@centre.example.com", "secret password") is not None


def test_init_twice_changes_nothing(fresh_app):
    runner = fresh_app.test_cli_runner()
    args = ["init", "--admin-email", "a@centre.example.com", "--admin-name", "A"]
    args += ["--admin-password", "a long enough password"]
    assert runner.invoke(args=args).exit_code == 0

    again = runner.invoke(args=["init", "--admin-email", "b@centre.example.com"])

    assert again.exit_code == 0, again.output
    assert "already in place" in again.output
    assert "An administrator already exists (a@centre.example.com)." in again.output
    assert [a.email for a in _admins()] == ["a@centre.example.com"]
    assert _count(Department) == len(DEPARTMENTS)
    assert _count(Route) == len(ROUTES)


def test_init_reports_a_bad_email_without_a_traceback(fresh_app):
    runner = fresh_app.test_cli_runner()
    args = ["init", "--admin-email", "not-an-email", "--admin-name", "A"]
    args += ["--admin-password", "a long enough password"]

    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert "email: Enter a valid email address." in result.output
    assert "Traceback" not in result.output
    assert _admins() == []
    # Fixing the input and running again finishes the job.
    args[2] = "good@centre.example.com"
    assert runner.invoke(args=args).exit_code == 0
    assert [a.email for a in _admins()] == ["good@centre.example.com"]


def test_init_reports_a_short_password(fresh_app):
    args = ["init", "--admin-email", "a@centre.example.com", "--admin-name", "A"]
    result = fresh_app.test_cli_runner().invoke(args=[*args, "--admin-password", "short"])

    assert result.exit_code == 1
    assert "password: Use 8 to 1024 characters." in result.output


# --------------------------------------------------------------------------
# create-user
# --------------------------------------------------------------------------


def test_create_user(app, runner):
    args = ["create-user", "--email", "Wang.Fang@Desk.example.com", "--name", "王芳"]
    args += ["--role", "supervisor", "--department", "intake", "--department", "sales"]
    args += ["--password", "a long enough password", "--locale", "zh_Hans_CN"]

    result = runner.invoke(args=args)

    assert result.exit_code == 0, result.output
    assert "Created supervisor wang.fang@desk.example.com in: intake, sales." in result.output
    user = users.authenticate("wang.fang@desk.example.com", "a long enough password")
    assert user is not None
    assert (user.name, user.role, user.locale) == ("王芳", "supervisor", "zh_Hans_CN")
    assert [d.code for d in user.departments] == ["intake", "sales"]


def test_create_user_asks_for_the_password(app, runner):
    args = ["create-user", "--email", "agent@desk.example.com", "--name", "Agent"]

    result = runner.invoke(args=args, input="typed password\ntyped password\n")

    assert result.exit_code == 0, result.output
    assert users.authenticate("agent@desk.example.com", "typed password") is not None


def test_create_user_refuses_an_unknown_department(app, runner):
    args = ["create-user", "--email", "x@desk.example.com", "--name", "X"]
    args += ["--department", "nowhere", "--password", "a long enough password"]

    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert "departments: No such department: nowhere." in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.email == "x@desk.example.com")) is None


def test_create_user_refuses_a_taken_email(app, runner, make_user):
    taken = make_user()
    args = ["create-user", "--email", taken.email, "--name", "Again"]

    result = runner.invoke(args=[*args, "--password", "a long enough password"])

    assert result.exit_code == 1
    assert "email: A user with this email already exists." in result.output


def test_create_user_refuses_an_unknown_role(app, runner):
    args = ["create-user", "--email", "r@desk.example.com", "--name", "R", "--role", "king"]

    result = runner.invoke(args=[*args, "--password", "a long enough password"])

    assert result.exit_code == 2
    assert "'king' is not one of" in result.output


# --------------------------------------------------------------------------
# The operator's language
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_Hans_CN"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_Hans_CN"),
        ({"LANGUAGE": "zh_Hans:en", "LANG": "en_GB.UTF-8"}, "zh_Hans_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "en_GB.UTF-8"}, "en"),
    ],
)
def test_operator_locale(environ, expected):
    assert operator_locale(LANGUAGES, "en", environ) == expected


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def test_run_passes_its_options_to_gunicorn(app, runner, monkeypatch):
    served = {}
    monkeypatch.setattr(
        serving, "serve", lambda source, **options: served.update(options, app=source)
    )

    result = runner.invoke(args=["run", "--host", "0.0.0.0", "--port", "8123", "--workers", "3"])

    assert result.exit_code == 0, result.output
    assert "Serving ServiceDesk on http://0.0.0.0:8123" in result.output
    assert served == {"app": app, "host": "0.0.0.0", "port": 8123, "workers": 3, "threads": 4}


def test_gunicorn_server_for_an_app_preloads_it(app):
    server = serving.build_server(app, host="127.0.0.1", port=8123, workers=3, threads=2)

    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert (server.cfg.workers, server.cfg.threads) == (3, 2)
    assert server.cfg.preload_app is True
    # No shared control socket for a second server to take over.
    assert getattr(server.cfg, "control_socket_disable", True) is True
    assert server.wsgi() is app


def test_gunicorn_server_for_a_factory_builds_the_app_in_each_worker(app):
    server = serving.build_server(lambda: app, host="::1", port=80, workers=1)

    assert server.cfg.bind == ["[::1]:80"]
    assert server.cfg.preload_app is False
    assert server.load() is app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_init_then_run_serves_pages_with_gunicorn(tmp_path):
    command = Path(sys.executable).with_name("servicedesk")
    if not command.exists():
        pytest.skip("the servicedesk console script is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SERVICEDESK_", "FLASK_"))}
    env |= {
        "LANG": "C.UTF-8",
        "SERVICEDESK_INSTANCE_PATH": str(tmp_path),
        "SERVICEDESK_DATABASE_URL": "sqlite:///" + str(tmp_path / "served.db"),
        "SERVICEDESK_ADMIN_EMAIL": "admin@centre.example.com",
        "SERVICEDESK_ADMIN_NAME": "Admin",
        "SERVICEDESK_ADMIN_PASSWORD": "a long enough password",
    }
    init = subprocess.run(
        [command, "init"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert init.returncode == 0, init.stderr
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [command, "run", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, page = _get(f"http://127.0.0.1:{port}/", time.monotonic() + 30)
        login_status, _ = _get(f"http://127.0.0.1:{port}/desk/login", time.monotonic() + 5)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert (status, login_status) == (200, 200), output
    assert "<html" in page.lower()
    assert f"Serving ServiceDesk on http://127.0.0.1:{port}" in output
    assert "gunicorn" in output.lower()
