"""Settings: defaults that run as-is, then the instance folder, then the environment.

Every setting can be given as an environment variable with the ``SERVICEDESK_``
prefix (``SERVICEDESK_DATABASE_URL``, ``SERVICEDESK_TIMEZONE`` ...); values are
parsed as JSON when they look like JSON, so lists and numbers work too.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    # Database: empty means "SQLite file in the instance folder".
    "DATABASE_URL": "",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # Customer-facing links are built from this, never from the Host header.
    "BASE_URL": "http://127.0.0.1:5000",
    "TIMEZONE": "Asia/Shanghai",
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["en", "zh_Hans_CN"],
    # Plugins blocked by entry-point name before they are loaded.
    "DISABLED_PLUGINS": [],
    "REFERENCE_PREFIX": "SD",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LOG_LEVEL": "INFO",
    # Redis for rate limits and jobs when several processes must share them.
    "REDIS_URL": "",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Public forms, per client address (Flask-Limiter notation; "; " joins limits).
    "SUBMIT_RATE_LIMIT": "10 per minute; 60 per day",
    "REPLY_RATE_LIMIT": "20 per minute; 200 per day",
    "LOST_LINK_RATE_LIMIT": "5 per minute; 20 per day",
    # Per customer email address, shared by the three forms: each one can make
    # us write to that address, so this is what stops a mail flood.
    "EMAIL_RATE_LIMIT": "10 per 10 minutes; 50 per day",
    # Customers' attachments: empty folder means "attachments/ in the instance folder".
    "ATTACHMENT_DIR": "",
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENT_TOTAL_MAX_BYTES": 25 * 1024 * 1024,
    "ATTACHMENT_MAX_COUNT": 5,
    # Text fields of one form (not files). Above Flask's 500 kB, so an overlong
    # description gets a field error that keeps the rest of the form.
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    # Shown to customers on the public pages.
    "CENTRE_PHONE": "",
    "CENTRE_EMAIL": "",
    "CENTRE_HOURS": "",
    # Outgoing mail, sent by the worker. Without an SMTP host nothing is sent:
    # notifications wait in the outbox until one is configured.
    "MAIL_FROM": "ServiceDesk <servicedesk@localhost>",
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 30,
    # A message that fails is tried again after 1, 2, 4, 8 ... of these
    # intervals; after the last attempt it is marked failed for an admin.
    "OUTBOX_RETRY_SECONDS": 60,
    "OUTBOX_MAX_ATTEMPTS": 10,
    # How often the worker looks for new mail to send between its minute runs.
    "OUTBOX_POLL_SECONDS": 2,
    # The mailbox customers write to, read by the worker. Without a host
    # nothing is fetched.
    "IMAP_HOST": "",
    "IMAP_PORT": 993,
    "IMAP_SSL": True,
    "IMAP_USERNAME": "",
    "IMAP_PASSWORD": "",
    "IMAP_MAILBOX": "INBOX",
    "IMAP_TIMEOUT": 30,
    # The job queue's name: its keys in Redis (REDIS_URL), else jobs.db in the
    # instance folder. Two centres sharing one Redis need different names.
    "JOBS_QUEUE": "servicedesk",
}


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, instance ``config.py``, env, overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SERVICEDESK")
    # Only `servicedesk init` reads these, straight from the environment; a
    # password has no business sitting in the app's config.
    for key in ("ADMIN_EMAIL", "ADMIN_NAME", "ADMIN_PASSWORD"):
        app.config.pop(key, None)
    if overrides:
        app.config.from_mapping(overrides)
    _derive(app)


def _derive(app: Flask) -> None:
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        url = config["DATABASE_URL"] or _default_sqlite_url(app)
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    if not config["ATTACHMENT_DIR"]:
        config["ATTACHMENT_DIR"] = str(Path(app.instance_path) / "attachments")
    # Room for every file at its largest plus the text fields; anything bigger
    # is refused before it is read, with the friendly 413 page.
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = (
            config["ATTACHMENT_TOTAL_MAX_BYTES"] + config["MAX_FORM_MEMORY_SIZE"]
        )
    if isinstance(config["DISABLED_PLUGINS"], str):
        config["DISABLED_PLUGINS"] = [
            name.strip() for name in config["DISABLED_PLUGINS"].split(",") if name.strip()
        ]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_sqlite_url(app: Flask) -> str:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(app.instance_path) / "servicedesk.db")


def _instance_secret_key(instance: Path) -> str:
    """Generate the key once and keep it readable by the owner only."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        # Written aside and linked into place, so concurrent workers starting
        # together all end up reading the one complete key.
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
