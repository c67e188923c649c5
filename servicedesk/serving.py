"""Serving ServiceDesk with gunicorn, a production WSGI server, from our own command."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from servicedesk.extensions import db

AppSource = Flask | Callable[[], Flask]


class Server(BaseApplication):
    """A gunicorn application for one ServiceDesk app.

    Given a Flask app, gunicorn loads it once and forks the workers from it;
    given a factory, every worker builds its own app after the fork.
    """

    def __init__(self, source: AppSource, options: dict[str, Any]) -> None:
        self._source = source
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        # gunicorn 25.1+ opens a control socket at one fixed path per user,
        # which a second server (the demo beside ``run``, a test server) would
        # take over from the first.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return self._source if isinstance(self._source, Flask) else self._source()


def build_server(
    source: AppSource, *, host: str, port: int, workers: int = 2, threads: int = 4
) -> Server:
    """The gunicorn application that ``serve`` runs, configured but not started."""
    options: dict[str, Any] = {
        "bind": [bind_address(host, port)],
        "workers": workers,
        # More than one thread selects gunicorn's threaded worker.
        "threads": threads,
        "accesslog": "-",
        "errorlog": "-",
        "preload_app": isinstance(source, Flask),
    }
    if isinstance(source, Flask):
        options["post_fork"] = _fresh_connections(source)
    return Server(source, options)


def serve(source: AppSource, *, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    """Serve until interrupted; gunicorn exits the process when it stops."""
    server = build_server(source, host=host, port=port, workers=workers, threads=threads)
    # The CLI calls this inside an app context. Workers forked from it would
    # inherit that context, and Flask would reuse it (with its database
    # session) for every request instead of giving each request its own.
    contextvars.Context().run(server.run)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def url_for_address(host: str, port: int) -> str:
    """The URL to print for people to open."""
    return f"http://{bind_address(host, port)}"


def _fresh_connections(app: Flask) -> Callable[[Any, Any], None]:
    def post_fork(_server: Any, _worker: Any) -> None:
        # A database connection opened before the fork must not be shared by
        # two processes; each worker drops the inherited pool (without closing
        # the parent's connections) and opens its own.
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)

    return post_fork
