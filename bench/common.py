"""What the benchmarks share: gunicorn on a free port, a warm database file,
the workers' memory and CPU from /proc, percentiles, and the yardsticks.

The yardsticks are bare Flask apps (bench/bare.py) measured in the same run,
on the same machine, with the same server and clients: this machine's speed
varies with its neighbours' load, so a figure means most beside them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    app: str, env: Mapping[str, str], *, workers: int = 2, cwd: Path = ROOT
) -> Iterator[tuple[tuple[str, int], subprocess.Popen[bytes]]]:
    """``app`` (``module:callable``) under gunicorn with sync workers; yields (address, master)."""
    address = ("127.0.0.1", free_port())
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn"),
            *("--workers", str(workers), "--worker-class", "sync"),
            *("--bind", f"{address[0]}:{address[1]}", "--log-level", "warning", app),
        ],
        env=dict(env),
        cwd=cwd,
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


def warm_file(path: str | Path) -> None:
    """Read a database file once, as a running server would have it in memory.

    This machine's hypervisor takes back file pages nobody read for a while;
    a centre's server keeps its working set cached.
    """
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass


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


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def _wait_until_up(address: tuple[str, int], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(address, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on {address} within 60 s")
