"""What plugins register is checked against the plugin contract."""

from pathlib import Path

import click
import pytest
from flask import Blueprint

from servicedesk import create_app, hookimpl
from servicedesk.plugins import PluginError, describe
from servicedesk.state import app_state


def _app(tmp_path, *plugins):
    return create_app({"INSTANCE_PATH": str(tmp_path)}, plugins=plugins, load_entrypoints=False)


class Inspection:
    """A well-behaved plugin: its blueprint and command are namespaced."""

    name = "inspection"
    __version__ = "1.2.0"

    @hookimpl
    def register_blueprints(self, app):
        blueprint = Blueprint("inspection", __name__, url_prefix="/inspection")
        blueprint.add_url_rule("/", "index", lambda: "quality inspection")
        return [blueprint]

    @hookimpl
    def register_commands(self, app):
        @click.command("inspection-report")
        def report():
            click.echo("all inspected")

        return [report]


def test_blueprint_and_command_are_registered(tmp_path):
    app = _app(tmp_path, Inspection())
    assert app.test_client().get("/inspection/").text == "quality inspection"
    result = app.test_cli_runner().invoke(args=["inspection-report"])
    assert result.output.strip() == "all inspected"


def test_blueprint_named_after_another_plugin_is_refused(tmp_path):
    class Squatter:
        name = "squatter"

        @hookimpl
        def register_blueprints(self, app):
            return [Blueprint("desk_extra", __name__)]

    with pytest.raises(PluginError, match="must be named 'squatter'"):
        _app(tmp_path, Squatter())


def test_templates_outside_the_namespace_are_refused(tmp_path):
    folder = tmp_path / "templates"
    (folder / "base.html").parent.mkdir(parents=True)
    (folder / "base.html").write_text("overrides the core layout")

    class Overrider:
        name = "overrider"

        @hookimpl
        def register_blueprints(self, app):
            return [
                Blueprint(
                    "overrider", __name__, root_path=str(tmp_path), template_folder="templates"
                )
            ]

    with pytest.raises(PluginError, match=r"templates outside templates/overrider/"):
        _app(tmp_path / "instance", Overrider())


def test_static_files_outside_the_namespace_are_refused(tmp_path):
    (tmp_path / "static").mkdir()

    class Loud:
        name = "loud"

        @hookimpl
        def register_blueprints(self, app):
            return [Blueprint("loud", __name__, root_path=str(tmp_path), static_folder="static")]

    with pytest.raises(PluginError, match="url_prefix='/loud'"):
        _app(tmp_path / "instance", Loud())


def test_describe_and_the_plugins_command(tmp_path):
    app = _app(tmp_path, Inspection())
    (info,) = [i for i in describe(app_state(app).plugin_manager) if i.source != "core"]
    assert (info.name, info.version, info.source) == ("inspection", "1.2.0", "registered")
    assert info.hooks == ("register_blueprints", "register_commands")
    output = app.test_cli_runner().invoke(args=["plugins"]).output
    assert "inspection  1.2.0  (registered)" in output
    assert "register_blueprints, register_commands" in output


def test_disabled_plugins_are_blocked_before_loading(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DISABLED_PLUGINS": ["inspection"]},
        plugins=[Inspection()],
        load_entrypoints=False,
    )
    names = {info.name for info in describe(app_state(app).plugin_manager)}
    assert "inspection" not in names
    assert "servicedesk.jobs" in names  # core hooks are untouched
    assert app.test_client().get("/inspection/").status_code == 404


def test_plugin_migration_branches_join_the_core_versions(tmp_path):
    branch = tmp_path / "branch"
    branch.mkdir()

    class WithTables:
        name = "withtables"

        @hookimpl
        def migration_locations(self, app):
            return [str(branch)]

    app = _app(tmp_path / "instance", WithTables())
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    locations = config.get_main_option("version_locations").split(":")
    assert Path(locations[0]).name == "versions"
    assert locations[1] == str(branch)
