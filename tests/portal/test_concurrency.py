"""300 submissions from 8 concurrent clients against a real server (gunicorn, 2 workers).

Every one must be accepted and get its own reference: the counter upsert and
the unique contact insert hold under real concurrency, with real HTTP, CSRF
and sessions. The client and server code is bench/submissions.py's.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_submissions", ROOT / "bench/submissions.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_300_concurrent_submissions_give_300_tickets_with_unique_references(bench, tmp_path):
    env = bench.server_env(tmp_path)
    Path(env["SERVICEDESK_INSTANCE_PATH"]).mkdir()
    bench.prepare_database(env, tickets=0)

    with bench.serving(env, workers=2) as (address, _process):
        results = bench.run_clients(address, clients=8, count=300, senders=40)

    assert results.refused == []
    assert results.accepted == 300
    with sqlite3.connect(tmp_path / "bench.db") as connection:
        tickets, references = connection.execute(
            "SELECT count(*), count(DISTINCT reference) FROM tickets"
        ).fetchone()
        confirmations = connection.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'confirmation'"
        ).fetchone()[0]
        numbers = sorted(
            int(reference.rsplit("-", 1)[1])
            for (reference,) in connection.execute("SELECT reference FROM tickets")
        )
        contacts = connection.execute("SELECT count(*) FROM contacts").fetchone()[0]
    assert tickets == references == confirmations == 300
    assert numbers == list(range(1, 301))  # no number lost or given twice
    assert contacts == 40  # one per address, even when two arrived at once
