"""Public submissions per second against gunicorn, on a desk with 100,000 tickets.

    .venv/bin/python bench/submissions.py                    # 100,000 tickets, 8 clients, 20 s
    .venv/bin/python bench/submissions.py --tickets 0 --count 300

Seeds a fresh SQLite database with bench/seed.py, serves it with gunicorn (2
sync workers), and runs concurrent clients that behave like browsers: each
submission GETs the form (session cookie and CSRF token), then POSTs it, each
request on a new connection. Prints accepted submissions per second, p50/p95
latency of a whole submission (GET + POST), and the workers' peak RSS.

The functions are also what tests/portal/test_concurrency.py drives.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Results:
    accepted: int = 0
    refused: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of this process's CPU the clients used
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ok: bool, latency: float, detail: str) -> None:
        with self.lock:
            if ok:
                self.accepted += 1
                self.latencies.append(latency)
            else:
                self.refused.append(detail)


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


def prepare_database(env: dict[str, str], tickets: int) -> None:
    """Migrate and seed: departments always, ``tickets`` old tickets with bench/seed.py."""
    url = env["SERVICEDESK_DATABASE_URL"]
    if tickets:
        command = [sys.executable, str(ROOT / "bench" / "seed.py"), "--database-url", url]
        subprocess.run([*command, "--tickets", str(tickets)], env=env, check=True)
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
def serving(env: dict[str, str], workers: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with ``workers`` sync workers on a free port; yields (host:port, process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn"),
            *("--workers", str(workers), "--worker-class", "sync", "--bind", address),
            *("--log-level", "warning", "servicedesk:create_app()"),
        ],
        env=env,
    )
    try:
        _wait_until_up(address, process)
        yield address, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def submit(address: str, number: int, senders: int) -> tuple[bool, str]:
    """One submission as a browser makes it: GET the form, POST it with cookie and token.

    The customer is one of ``senders`` email addresses, so some write again.
    """
    status, headers, page = _request(address, "GET", "/")
    token = _TOKEN.search(page)
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    if status != 200 or token is None or not cookie:
        return False, f"GET / answered {status}"
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
    status, headers, _page = _request(
        address,
        "POST",
        "/",
        body=urlencode(form).encode(),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 303 or headers.get("location") != "/submitted":
        return False, f"POST / answered {status}"
    return True, ""


def run_clients(
    address: str,
    clients: int,
    *,
    count: int | None = None,
    duration: float | None = None,
    senders: int = 500,
) -> Results:
    """``clients`` threads submitting until ``count`` submissions or ``duration`` seconds."""
    results = Results()
    numbers = iter(range(count if count is not None else sys.maxsize))
    numbers_lock = threading.Lock()
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + duration if duration else None

    def client() -> None:
        while deadline is None or time.perf_counter() < deadline:
            with numbers_lock:
                number = next(numbers, None)
            if number is None:
                return
            begun = time.perf_counter()
            try:
                ok, detail = submit(address, number, senders)
            except OSError as error:
                ok, detail = False, repr(error)
            results.record(ok, time.perf_counter() - begun, detail)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.elapsed = time.perf_counter() - started
    results.client_cpu = time.process_time() - cpu_started
    return results


@dataclass(frozen=True)
class Worker:
    pid: int
    peak_rss: int  # VmHWM, bytes
    rss: int  # VmRSS now, bytes
    cpu_seconds: float  # user + system


def workers_of(master_pid: int) -> list[Worker]:
    """The worker processes of a gunicorn master, from /proc."""
    found = []
    ticks = os.sysconf("SC_CLK_TCK")
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            if int(fields.get("PPid", "0")) != master_pid:
                continue
            stat = (status.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found.append(
            Worker(
                pid=int(fields["Pid"]),
                peak_rss=int(fields["VmHWM"].split()[0]) * 1024,
                rss=int(fields["VmRSS"].split()[0]) * 1024,
                # utime and stime are fields 14 and 15 of stat (12 and 13 after the name).
                cpu_seconds=(int(stat[11]) + int(stat[12])) / ticks,
            )
        )
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets seeded first")
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
        print(f"seeding {args.tickets} tickets ...", flush=True)
        prepare_database(env, args.tickets)
        with serving(env, args.workers) as (address, process):
            # Warm up: every worker imports, compiles templates, opens its connection.
            run_clients(address, args.workers * 2, count=args.workers * 10)
            duration = None if args.count else args.duration
            cpu_before = sum(w.cpu_seconds for w in workers_of(process.pid))
            results = run_clients(
                address, args.clients, count=args.count, duration=duration, senders=args.senders
            )
            workers = workers_of(process.pid)
    report(args, results, workers, sum(w.cpu_seconds for w in workers) - cpu_before)


def report(
    args: argparse.Namespace, results: Results, workers: list[Worker], cpu_seconds: float
) -> None:
    latencies = sorted(results.latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
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
        f" now: {', '.join(f'{w.rss / mb:.1f} MB' for w in workers)}"
    )
    if results.refused:
        print("  first refusals:", results.refused[:5])


def _request(
    address: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], str]:
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection.close()


def _wait_until_up(address: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if _request(address, "GET", "/lost-link")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on {address} within {timeout} s")


if __name__ == "__main__":
    main()
