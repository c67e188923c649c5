"""Latency of the desk under load: gunicorn, 2 sync workers, 4 signed-in clients.

    .venv/bin/python bench/seed.py                  # once: 100,000 tickets in bench/desk.db
    .venv/bin/python bench/desk.py                  # then this
    .venv/bin/python bench/desk.py --database-url postgresql://postgres@127.0.0.1/sd_bench

Each client signs in through the real form (CSRF token and all), then keeps
asking, over a new connection per request, for: its queue page (25 rows and the
queue counts), a ticket page, and a search (the list the search box fetches)
for an English word and for 打印机. Prints p50 and p95 per kind of request.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, select, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from seed import DEFAULT_URL, PASSWORD  # noqa: E402

from servicedesk.config import normalise_database_url  # noqa: E402

CLIENTS = (
    "agent.intake.1@bench.example.com",
    "agent.after_sales.1@bench.example.com",
    "supervisor.intake@bench.example.com",
    "admin@bench.example.com",
)
REQUESTS = {
    "queue page (25 rows + counts)": lambda refs: "/desk/?queue=department",
    "ticket page": lambda refs: f"/desk/tickets/{random.choice(refs)}",
    "search 'printer'": lambda refs: "/desk/?" + urlencode({"queue": "all", "q": "printer"}),
    "search '打印机'": lambda refs: "/desk/?" + urlencode({"queue": "all", "q": "打印机"}),
}
# The search box asks for the list only (an HTMX request), as the browser does.
HTMX = {"search 'printer'", "search '打印机'"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=60, help="requests per client and kind")
    parser.add_argument(
        "--clients",
        type=int,
        default=len(CLIENTS),
        choices=range(1, len(CLIENTS) + 1),
        help="concurrent clients (1 shows the service time without queueing)",
    )
    args = parser.parse_args(argv)
    url = normalise_database_url(args.database_url)
    port = _free_port()
    with tempfile.TemporaryDirectory() as instance:
        server = _start(url, port, instance)
        try:
            _wait(port)
            timings = _run(port, _references(url), args.rounds, CLIENTS[: args.clients])
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\n{args.database_url}: {args.clients} clients, gunicorn 2 sync workers")
    print(f"{'request':34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{name:34} {len(values):>5} {statistics.median(values):>8.1f} {p95:>8.1f}")


def _start(url: str, port: int, instance: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SERVICEDESK_DATABASE_URL": url,
        "SERVICEDESK_INSTANCE_PATH": instance,
        "SERVICEDESK_RATELIMIT_ENABLED": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "servicedesk:create_app()",
    ]
    return subprocess.Popen(command, env=env, cwd=HERE.parent)


def _references(url: str) -> list[str]:
    """Tickets of the intake department, which every client may open."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(text("reference"))
            .select_from(text("tickets"))
            .where(text("department_id = (SELECT id FROM departments WHERE code = 'intake')"))
            .limit(2000)
        )
        references = [row[0] for row in rows]
    engine.dispose()
    return references


def _run(
    port: int, references: list[str], rounds: int, clients: tuple[str, ...]
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    # The supervisor's and admin's departments all include intake, but the
    # agent of after-sales may not open intake tickets: give it its own.
    def client(email: str) -> None:
        cookie = _sign_in(port, email)
        for _ in range(rounds):
            for name, path in REQUESTS.items():
                if name == "ticket page" and "after_sales" in email:
                    continue
                headers = {"Cookie": cookie}
                if name in HTMX:
                    headers["HX-Request"] = "true"
                started = time.perf_counter()
                status, _body, _cookie = _request(port, "GET", path(references), headers)
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    raise RuntimeError(f"{path(references)} answered {status}")
                with lock:
                    timings[name].append(elapsed)

    threads = [threading.Thread(target=client, args=(email,)) for email in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def _sign_in(port: int, email: str) -> str:
    status, body, cookie = _request(port, "GET", "/desk/login", {})
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    status, _body, signed_in = _request(
        port,
        "POST",
        "/desk/login",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    if status != 302:
        raise RuntimeError(f"{email} could not sign in ({status})")
    return signed_in


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, str, str]:
    """One request over a new connection; returns status, body and the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, quote(path, safe="/?=&%"), body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        cookie = response.getheader("Set-Cookie", "")
        session = cookie.split(";", 1)[0] if cookie else headers.get("Cookie", "")
        return response.status, data, session
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


if __name__ == "__main__":
    main()
