"""Settings: defaults that run as-is, the instance folder, SERVICEDESK_* variables."""

import os
import stat

from servicedesk import create_app


def test_defaults_run_as_is(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVICEDESK_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)}, load_entrypoints=False)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/servicedesk.db"
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secret_key_is_generated_once_owner_only(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path)}, load_entrypoints=False)
    second = create_app({"INSTANCE_PATH": str(tmp_path)}, load_entrypoints=False)
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_secret_keys_differ_between_instances(tmp_path):
    one = create_app({"INSTANCE_PATH": str(tmp_path / "a")}, load_entrypoints=False)
    two = create_app({"INSTANCE_PATH": str(tmp_path / "b")}, load_entrypoints=False)
    assert one.config["SECRET_KEY"] != two.config["SECRET_KEY"]


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'TIMEZONE = "Europe/Berlin"\nBASE_URL = "https://a.example"\n'
    )
    monkeypatch.setenv("SERVICEDESK_BASE_URL", "https://desk.example.com")
    monkeypatch.setenv("SERVICEDESK_DISABLED_PLUGINS", "satisfaction, escalation")
    monkeypatch.setenv("SERVICEDESK_DATABASE_URL", "postgres://u@db.example/sd")
    app = create_app({"INSTANCE_PATH": str(tmp_path)}, load_entrypoints=False)
    assert app.config["TIMEZONE"] == "Europe/Berlin"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Berlin"
    assert app.config["BASE_URL"] == "https://desk.example.com"
    assert app.config["DISABLED_PLUGINS"] == ["satisfaction", "escalation"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/sd"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from servicedesk.extensions import db

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_plugin_managers_are_per_app(tmp_path):
    from servicedesk import hookimpl
    from servicedesk.state import app_state

    class Recorder:
        @hookimpl
        def servicedesk_startup(self, app):
            app.config["STARTED_BY_PLUGIN"] = True

    with_plugin = create_app(
        {"INSTANCE_PATH": str(tmp_path)}, plugins=[Recorder()], load_entrypoints=False
    )
    without = create_app({"INSTANCE_PATH": str(tmp_path)}, load_entrypoints=False)
    assert with_plugin.config["STARTED_BY_PLUGIN"] is True
    assert "STARTED_BY_PLUGIN" not in without.config
    assert app_state(with_plugin).plugin_manager is not app_state(without).plugin_manager
