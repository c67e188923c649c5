"""Yardsticks: the least a Flask app can do for each kind of request the benchmarks time.

Served by gunicorn like ServiceDesk and driven by the same clients, on the
same database file (``BARE_DATABASE``), so that a run reports, beside each of
ServiceDesk's figures, what a bare endpoint reaches on this machine right now:

- ``insert_app``: ``POST /`` inserts the posted subject and body as one row
  (SQLite in WAL mode, one connection per worker), as the portal's issue puts
  it: "a bare Flask endpoint doing one INSERT".
- ``page_app``: ``GET /`` renders the 25 most recently updated tickets, read
  off an index: "a bare Flask page selecting 25 indexed rows".
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, request

_PAGE = """<!doctype html><title>Tickets</title><table>
{% for id, reference, subject, status in rows %}
<tr><td>{{ id }}</td><td>{{ reference }}</td><td>{{ subject }}</td><td>{{ status }}</td></tr>
{% endfor %}</table>"""


def _connect() -> sqlite3.Connection:
    connection = sqlite3.connect(os.environ["BARE_DATABASE"], timeout=10)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def insert_app() -> Flask:
    app = Flask(__name__)
    connection = _connect()
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bare_requests (id INTEGER PRIMARY KEY, subject TEXT, body TEXT)"
    )
    connection.commit()

    @app.post("/")
    def insert() -> str:
        connection.execute(
            "INSERT INTO bare_requests (subject, body) VALUES (?, ?)",
            (request.form.get("subject"), request.form.get("body")),
        )
        connection.commit()
        return "ok"

    return app


def page_app() -> Flask:
    app = Flask(__name__)
    connection = _connect()
    template = app.jinja_env.from_string(_PAGE)

    @app.get("/")
    def page() -> str:
        rows = connection.execute(
            "SELECT id, reference, subject, status FROM tickets"
            " ORDER BY updated_at DESC, id DESC LIMIT 25"
        ).fetchall()
        return template.render(rows=rows)

    return app
