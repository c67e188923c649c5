"""The ``servicedesk`` command.

Flask-Migrate's ``db`` group is looked up by the command itself, when it is
used (so that serving never imports Alembic); everything else is added to each
app's ``cli`` by ``register_commands``.
Commands speak the operator's language (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` or ``LANG``) when the centre offers it.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from flask_babel import force_locale, get_locale
from sqlalchemy import URL, select

from servicedesk import create_app, serving
from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Department, Role, User
from servicedesk.services import users
from servicedesk.services.errors import ServiceError, ValidationError
from servicedesk.sla.policies import seed_sla
from servicedesk.workflow.seed import seed_workflow

F = TypeVar("F", bound=Callable[..., Any])


def register_commands(app: Flask) -> None:
    """Add the ServiceDesk commands (and Flask's shell and routes) to ``app.cli``."""
    for command in (
        init_command,
        create_user_command,
        run_command,
        demo_command,
        plugins_command,
        shell_command,
        routes_command,
    ):
        app.cli.add_command(command)
    # Imported here: the job commands reuse this module's helpers.
    from servicedesk.jobs.cli import register_job_commands

    register_job_commands(app)
    from servicedesk.tiers.cli import register_tier_commands

    register_tier_commands(app)


class ServiceDeskGroup(FlaskGroup):
    """The ``servicedesk`` command: Flask's group, plus Flask-Migrate's ``db`` group.

    ``db`` is imported only when it is listed or run, so that neither the
    command's start nor the server it runs loads Alembic.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "db"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "db":
            from flask_migrate.cli import db as migration_commands

            return migration_commands
        return super().get_command(ctx, name)


def _make_app() -> Flask:
    return create_app()


@click.group(cls=ServiceDeskGroup, create_app=_make_app, add_default_commands=False)
def main() -> None:
    """ServiceDesk: manage the database, users and the server."""


# --------------------------------------------------------------------------
# Plumbing shared by the commands
# --------------------------------------------------------------------------


def operator_locale(languages: list[str], default: str, environ: Mapping[str, str]) -> str:
    """The centre's language closest to the operator's locale settings.

    Checked in the order gettext uses; ``zh_CN`` and ``zh_Hans`` mean the
    Simplified Chinese catalogue, ``C``/``POSIX`` or anything unoffered the default.
    """
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "").split(":")[0].split(".")[0]
        if not value:
            continue
        tag = value.replace("-", "_").lower()
        if tag.startswith("zh"):
            if tag.startswith(("zh_tw", "zh_hk", "zh_hant")):
                return default
            return next((lang for lang in languages if lang.startswith("zh")), default)
        primary = tag.split("_")[0]
        return next((lang for lang in languages if lang.lower() == primary), default)
    return default


def _command(name: str, **attrs: Any) -> Callable[[F], click.Command]:
    """A command run in the app context, in the operator's language, with clear errors.

    Refused input from the service layer becomes a message and exit status 1,
    never a traceback.
    """

    def decorate(function: F) -> click.Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            config = current_app.config
            locale = operator_locale(
                config["LANGUAGES"], config["BABEL_DEFAULT_LOCALE"], os.environ
            )
            with force_locale(locale):
                try:
                    return function(*args, **kwargs)
                except ValidationError as error:
                    raise click.ClickException(_explain(error)) from None
                except ServiceError as error:
                    raise click.ClickException(error.message) from None

        return click.command(name, **attrs)(with_appcontext(run))

    return decorate


def _explain(error: ValidationError) -> str:
    lines = [_("The input was refused:")]
    for field, messages in error.errors.items():
        lines.extend(f"  {field}: {message}" for message in messages)
    return "\n".join(lines)


def _all_department_codes() -> list[str]:
    return list(db.session.scalars(select(Department.code).order_by(Department.position)))


# --------------------------------------------------------------------------
# Setting up
# --------------------------------------------------------------------------


@_command("init")
@click.option(
    "--admin-email", envvar="SERVICEDESK_ADMIN_EMAIL", show_envvar=True, help="First admin's email."
)
@click.option(
    "--admin-name", envvar="SERVICEDESK_ADMIN_NAME", show_envvar=True, help="First admin's name."
)
@click.option(
    "--admin-password",
    envvar="SERVICEDESK_ADMIN_PASSWORD",
    show_envvar=True,
    help="First admin's password (asked for, hidden, when not given).",
)
def init_command(
    admin_email: str | None, admin_name: str | None, admin_password: str | None
) -> None:
    """Set up the database and the first admin.

    Upgrades the schema, adds the departments and routes that are missing and,
    when there is no administrator yet, creates one. Safe to run again.
    """
    import flask_migrate

    flask_migrate.upgrade(revision="heads")
    click.echo(_("Database schema is up to date."))
    added = seed_workflow()
    seed_sla()
    if added:
        click.echo(_("Added %(count)d departments and routes.", count=added))
    else:
        click.echo(_("Departments and routes were already in place."))

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
    if admin is not None:
        click.echo(_("An administrator already exists (%(email)s).", email=admin.email))
        return
    email = admin_email or click.prompt(_("Administrator email"))
    name = admin_name or click.prompt(_("Administrator name"))
    password = admin_password or click.prompt(
        _("Administrator password"), hide_input=True, confirmation_prompt=True
    )
    user = users.create_user(
        email=email,
        name=name,
        password=password,
        role=Role.ADMIN,
        departments=_all_department_codes(),
    )
    click.echo(_("Created the administrator %(email)s.", email=user.email))


@_command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.AGENT.value,
    show_default=True,
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    metavar="CODE",
    help="A department the user works in (repeat for several).",
)
@click.option("--password", help="Asked for, hidden, when not given (safer than the command line).")
@click.option("--locale", help="Preferred language, e.g. en or zh_Hans_CN.")
def create_user_command(
    email: str,
    name: str,
    role: str,
    departments: tuple[str, ...],
    password: str | None,
    locale: str | None,
) -> None:
    """Add a staff account."""
    password = password or click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    user = users.create_user(
        email=email,
        name=name,
        password=password,
        role=role,
        departments=departments,
        locale=locale,
    )
    click.echo(
        _(
            "Created %(role)s %(email)s in: %(departments)s.",
            role=user.role,
            email=user.email,
            departments=", ".join(d.code for d in user.departments) or _("no department"),
        )
    )


# --------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_port = click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
_workers = click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1), help="Worker processes."
)
_threads = click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1), help="Threads per worker."
)


@_command("run")
@_host
@_port
@_workers
@_threads
def run_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve ServiceDesk with gunicorn (a production WSGI server)."""
    url = serving.url_for_address(host, port)
    click.echo(_("Serving ServiceDesk on %(url)s (Ctrl+C stops it).", url=url))
    serving.serve(
        current_app._get_current_object(), host=host, port=port, workers=workers, threads=threads
    )


@_command("demo")
@click.option("--tickets", default=300, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--seed", default=42, show_default=True, help="Same seed, same demo.")
@click.option("--serve/--no-serve", default=True, help="Serve the demo once it is built.")
@_host
@_port
@_workers
@_threads
def demo_command(
    tickets: int, seed: int, serve: bool, host: str, port: int, workers: int, threads: int
) -> None:
    """Build a fresh demo database and serve it.

    The demo lives in <instance>/demo.db, rebuilt on every run; the configured
    database is never touched.
    """
    from servicedesk.demo import loader

    instance = Path(current_app.instance_path)
    database = loader.demo_database(instance)
    if _is_file(db.engine.url, database):
        raise click.ClickException(
            _("The configured database is %(path)s; the demo would overwrite it.", path=database)
        )
    url = serving.url_for_address(host, port)
    click.echo(_("Building the demo database %(path)s ...", path=database))

    def report(done: int, total: int) -> None:
        click.echo("  " + _("%(done)d of %(total)d tickets", done=done, total=total))

    result = loader.build_demo(
        instance,
        tickets=tickets,
        seed=seed,
        base_url=url,
        locale=str(get_locale()),
        progress=report,
    )
    click.echo(
        _(
            "Loaded %(tickets)d tickets from %(contacts)d contacts at %(customers)d customers "
            "in %(seconds).1f s.",
            tickets=result.tickets,
            contacts=result.contacts,
            customers=result.customers,
            seconds=result.seconds,
        )
    )
    click.echo("")
    click.echo(_("Sign in with any of these (password: %(password)s):", password=result.password))
    rows = [(_("Email"), _("Name"), _("Role"), _("Departments"))]
    rows += [(x.email, x.name, x.role, ", ".join(x.departments)) for x in result.logins]
    click.echo(_table(rows))
    if not serve:
        return
    click.echo("")
    click.echo(_("Serving the demo on %(url)s (Ctrl+C stops it).", url=url))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            _("Anyone who can reach this address can sign in with the demo password."), err=True
        )
    # Each worker builds its own app on the demo database after the fork.
    serving.serve(
        functools.partial(create_app, result.config),
        host=host,
        port=port,
        workers=workers,
        threads=threads,
    )


def _is_file(url: URL, path: Path) -> bool:
    """Whether the database at ``url`` is the SQLite file ``path``."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    return Path(url.database).resolve() == path.resolve()


def _table(rows: list[tuple[str, ...]]) -> str:
    """Rows in aligned columns; Chinese characters take two terminal cells."""
    widths = [max(_cells(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            text + " " * (width - _cells(text)) for text, width in zip(row, widths, strict=True)
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


@click.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List the loaded plugins with their version, source and hooks."""
    from servicedesk.plugins import describe
    from servicedesk.state import app_state

    infos = describe(app_state().plugin_manager)
    if not infos:
        click.echo(_("No plugins are loaded."))
        return
    for info in infos:
        click.echo(f"{info.name}  {info.version}  ({info.source})")
        click.echo("    " + ", ".join(info.hooks))
