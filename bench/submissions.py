"""Public submissions per second against gunicorn, on a desk with 100,000 tickets.

    .venv/bin/python bench/submissions.py                    # seed 100,000 tickets, 8 clients, 20 s
    .venv/bin/python bench/submissions.py --database bench/desk.db   # copy a seeded desk instead
    .venv/bin/python bench/submissions.py --tickets 0 --count 300

Seeds a fresh SQLite database with bench/seed.py (or copies the one given),
serves it with gunicorn (2 sync workers), and runs concurrent clients that
behave like browsers: each submission GETs the form (session cookie and CSRF
token), then POSTs it, each request on a new connection. Prints accepted
submissions per second, p50/p95 latency of a whole submission (GET + POST),
the CPU it cost, the workers' peak RSS, and the yardstick: a bare Flask
endpoint doing one INSERT, served and driven the same way in the same run.

The clients share one thread (bench/client.py), so they cost the server's
two cores little. The functions are also what tests/portal/test_concurrency.py
drives.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import client as http
from common import ROOT, Worker, gunicorn, percentile, warm_file, workers_of

BIN = Path(sys.executable).parent
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Results:
    accepted: int = 0
    refused: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of this process's CPU the clients used


def server_env(folder: Path) -> dict[str, str]:
    """Settings for a throw-away centre in ``folder``, rate limits off."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SERVICEDESK_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "SERVICEDESK_INSTANCE_PATH": str(folder / "instance"),
        "SERVICEDESK_SECRET_KEY": secrets.token_hex(32),
        "SERVICEDESK_BASE_URL": "http://portal.bench",
        "SERVICEDESK_RATELIMIT_ENABLED": "false",
        "SERVICEDESK_LOG_LEVEL": "WARNING",
    }


def prepare_database(env: dict[str, str], tickets: int, copy_of: Path | None = None) -> None:
    """Departments always; ``tickets`` old tickets (bench/seed.py), or a seeded desk copied."""
    database = Path(env["SERVICEDESK_DATABASE_URL"].removeprefix("sqlite:///"))
    if copy_of is not None:
        shutil.copyfile(copy_of, database)
        # Whatever the copy lacks of the current schema.
        subprocess.run(
            [str(BIN / "servicedesk"), "db", "upgrade", "heads"],
            env=env,
            check=True,
            capture_output=True,
        )
        return
    if tickets:
        command = [sys.executable, str(ROOT / "bench" / "seed.py"), "--database-url"]
        command += [env["SERVICEDESK_DATABASE_URL"], "--tickets", str(tickets)]
        subprocess.run(command, env=env, check=True)
        return
    admin = {
        "SERVICEDESK_ADMIN_EMAIL": "admin@bench.example.com",
        "SERVICEDESK_ADMIN_NAME": "Bench Admin",
        "SERVICEDESK_ADMIN_PASSWORD": secrets.token_urlsafe(16),
    }
    # init: the migrations, the departments and routes, a first admin.
    subprocess.run(
        [str(BIN / "servicedesk"), "init"], env=env | admin, check=True, capture_output=True
    )


@contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[tuple[str, object]]:
    """gunicorn with ``workers`` sync workers; yields ("host:port", master process)."""
    with gunicorn("servicedesk:create_app()", env, workers=workers) as (address, process):
        yield f"{address[0]}:{address[1]}", process


def browser(number: int, senders: int) -> http.Client:
    """One submission as a browser makes it: GET the form, POST it with cookie and token.

    The customer is one of ``senders`` email addresses, so some write again.
    Returns (as the generator's value) None when accepted, else what went wrong.
    """
    page = yield http.Request("GET", "/")
    token = _TOKEN.search(page.text)
    cookie = page.cookie()
    if page.status != 200 or token is None or not cookie:
        return f"GET / answered {page.status}"
    form = {
        "csrf_token": token.group(1),
        "kind": "repair",
        "name": f"Bench Customer {number}",
        "company": "Bench Industries",
        "email": f"customer{number % senders}@bench.example.com",
        "product_ref": f"PX-{number}",
        "subject": f"Pump {number} leaks at the seal",
        "body": "The pump leaks at the shaft seal since Monday.\nPlease send a technician.",
    }
    sent = yield http.Request(
        "POST", "/", FORM_HEADERS | {"Cookie": cookie}, urlencode(form).encode()
    )
    if sent.status != 303 or sent.headers.get("location") != "/submitted":
        return f"POST / answered {sent.status}"
    return None


def run_clients(
    address: str,
    clients: int,
    *,
    count: int | None = None,
    duration: float | None = None,
    senders: int = 500,
) -> Results:
    """``clients`` browsers submitting until ``count`` submissions or ``duration`` seconds."""
    results = Results()
    numbers = iter(range(count if count is not None else sys.maxsize))
    deadline = time.perf_counter() + duration if duration else None

    def client() -> http.Client:
        while deadline is None or time.perf_counter() < deadline:
            number = next(numbers, None)
            if number is None:
                return
            begun = time.perf_counter()
            refusal = yield from browser(number, senders)
            if refusal is None:
                results.accepted += 1
                results.latencies.append(time.perf_counter() - begun)
            else:
                results.refused.append(refusal)

    host, port = address.rsplit(":", 1)
    started, cpu_started = time.perf_counter(), time.process_time()
    http.run((host, int(port)), [client() for _ in range(clients)])
    results.elapsed = time.perf_counter() - started
    results.client_cpu = time.process_time() - cpu_started
    return results


def bare_inserts(database: Path, clients: int, duration: float) -> float:
    """The yardstick: requests per second of a bare Flask endpoint doing one INSERT."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench"), "BARE_DATABASE": str(database)}
    body = urlencode({"subject": "Pump leaks", "body": "The pump leaks at the seal."}).encode()
    done = 0
    deadline = time.perf_counter() + duration

    def client() -> http.Client:
        nonlocal done
        while time.perf_counter() < deadline:
            response = yield http.Request("POST", "/", FORM_HEADERS, body)
            done += response.status == 200

    with gunicorn("bare:insert_app()", env, cwd=ROOT / "bench") as (address, _process):
        started = time.perf_counter()
        http.run(address, [client() for _ in range(clients)])
        return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets seeded first")
    parser.add_argument("--database", type=Path, help="a seeded SQLite desk to copy instead")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds to run")
    parser.add_argument("--count", type=int, help="stop after this many submissions instead")
    parser.add_argument(
        "--senders", type=int, default=500, help="distinct customer addresses (new contacts)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sd-bench-") as folder:
        env = server_env(Path(folder))
        Path(env["SERVICEDESK_INSTANCE_PATH"]).mkdir()
        print(f"preparing a desk with {args.tickets} tickets ...", flush=True)
        prepare_database(env, args.tickets, args.database)
        database = Path(folder) / "bench.db"
        warm_file(database)
        with serving(env, args.workers) as (address, process):
            # Warm up: every worker imports, compiles templates, opens its connection.
            run_clients(address, args.workers * 2, count=args.workers * 10)
            duration = None if args.count else args.duration
            cpu_before = sum(w.cpu_seconds for w in workers_of(process.pid))
            results = run_clients(
                address, args.clients, count=args.count, duration=duration, senders=args.senders
            )
            workers = workers_of(process.pid)
        bare = bare_inserts(database, args.clients, min(args.duration, 10.0))
    report(args, results, workers, sum(w.cpu_seconds for w in workers) - cpu_before, bare)


def report(
    args: argparse.Namespace,
    results: Results,
    workers: list[Worker],
    cpu_seconds: float,
    bare: float,
) -> None:
    latencies = results.latencies
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p95 = percentile(latencies, 0.95) * 1000
    rate = results.accepted / results.elapsed
    cpu = cpu_seconds / max(results.accepted, 1) * 1000
    mb = 2**20
    print(
        f"{args.clients} clients, {args.workers} sync workers, {args.tickets} tickets seeded:\n"
        f"  accepted submissions: {results.accepted} in {results.elapsed:.1f} s = {rate:.1f}/s"
        f" (refused or failed: {len(results.refused)})\n"
        f"  latency of a submission (GET form + POST): p50 {p50:.1f} ms, p95 {p95:.1f} ms\n"
        f"  CPU per submission: server (gunicorn workers) {cpu:.1f} ms,"
        f" clients {results.client_cpu / max(results.accepted, 1) * 1000:.1f} ms\n"
        f"  worker RSS, peak: {', '.join(f'{w.peak_rss / mb:.1f} MB' for w in workers)};"
        f" now: {', '.join(f'{w.rss / mb:.1f} MB' for w in workers)}\n"
        f"  yardstick, a bare Flask endpoint doing one INSERT (same server and clients):"
        f" {bare:.0f} requests/s"
    )
    if results.refused:
        print("  first refusals:", results.refused[:5])


if __name__ == "__main__":
    main()
