"""Latency of the desk under load: gunicorn, 2 sync workers, 4 signed-in clients.

    .venv/bin/python bench/seed.py                  # once: 100,000 tickets in bench/desk.db
    .venv/bin/python bench/desk.py                  # then this
    .venv/bin/python bench/desk.py --database-url postgresql://postgres@127.0.0.1/sd_bench

Each client signs in through the real form (CSRF token and all), then keeps
asking, over a new connection per request, for: its queue page (25 rows and the
queue counts), a ticket page, and a search (the list the search box fetches)
for an English word and for 打印机. Prints p50 and p95 per kind of request,
after a few untimed rounds (each worker compiles its templates on first use).

The yardstick is measured the same way in the same run: a bare Flask page
selecting 25 indexed rows of the same tickets (SQLite only). The clients share
one thread (bench/client.py), so they cost the server's cores little.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, select, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import client as http  # noqa: E402
from common import ROOT, gunicorn, percentile, warm_file  # noqa: E402
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
WARM_UP_ROUNDS = 3
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


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
    sqlite_file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if sqlite_file:
        warm_file(sqlite_file)
    references = _references(url)
    with tempfile.TemporaryDirectory() as instance:
        env = {
            **os.environ,
            "SERVICEDESK_DATABASE_URL": url,
            "SERVICEDESK_INSTANCE_PATH": instance,
            "SERVICEDESK_RATELIMIT_ENABLED": "false",
        }
        with gunicorn("servicedesk:create_app()", env) as (address, _process):
            timings = _run(address, references, args.rounds, CLIENTS[: args.clients])
    bare = _bare_page(sqlite_file, args.rounds, args.clients) if sqlite_file else None
    print(f"\n{args.database_url}: {args.clients} clients, gunicorn 2 sync workers")
    print(f"{'request':34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(
            f"{name:34} {len(values):>5} {statistics.median(values):>8.1f}"
            f" {percentile(values, 0.95):>8.1f}"
        )
    if bare:
        print(
            f"{'yardstick: bare Flask, 25 rows':34} {len(bare):>5}"
            f" {statistics.median(bare):>8.1f} {percentile(bare, 0.95):>8.1f}"
        )


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
    address: tuple[str, int], references: list[str], rounds: int, clients: tuple[str, ...]
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)

    def client(email: str) -> http.Client:
        cookie = yield from _sign_in(email)
        for round_number in range(WARM_UP_ROUNDS + rounds):
            for name, path in REQUESTS.items():
                # The after-sales agent may not open intake tickets.
                if name == "ticket page" and "after_sales" in email:
                    continue
                headers = {"Cookie": cookie}
                if name in HTMX:
                    headers["HX-Request"] = "true"
                target = quote(path(references), safe="/?=&%")
                response = yield http.Request("GET", target, headers)
                if response.status != 200:
                    raise RuntimeError(f"{target} answered {response.status}")
                if round_number >= WARM_UP_ROUNDS:
                    timings[name].append(response.seconds * 1000)

    http.run(address, [client(email) for email in clients])
    return timings


def _sign_in(email: str) -> http.Client:
    page = yield http.Request("GET", "/desk/login")
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": _token(page.text)})
    headers = {"Cookie": page.cookie() or "", "Content-Type": "application/x-www-form-urlencoded"}
    signed_in = yield http.Request("POST", "/desk/login", headers, form.encode())
    if signed_in.status != 302 or not signed_in.cookie():
        raise RuntimeError(f"{email} could not sign in ({signed_in.status})")
    return signed_in.cookie()


def _token(page: str) -> str:
    found = _TOKEN.search(page)
    if found is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    return found.group(1)


def _bare_page(database: str, rounds: int, clients: int) -> list[float]:
    """The yardstick's latencies: a bare Flask page of 25 indexed rows, same server and clients."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench"), "BARE_DATABASE": database}
    timings: list[float] = []
    requests = (WARM_UP_ROUNDS + rounds) * len(REQUESTS)

    def client() -> http.Client:
        for number in range(requests):
            response = yield http.Request("GET", "/")
            if number >= WARM_UP_ROUNDS * len(REQUESTS):
                timings.append(response.seconds * 1000)

    with gunicorn("bare:page_app()", env, cwd=HERE) as (address, _process):
        http.run(address, [client() for _ in range(clients)])
    return timings


if __name__ == "__main__":
    main()
