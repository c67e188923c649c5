"""Worker processes racing over the same jobs: every effect happens once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RACE_WORKER = Path(__file__).with_name("race_worker.py")


def test_workers_racing_over_the_same_jobs_send_every_email_once(
    app, smtp, make_ticket, worker_config
):
    smtp.start()
    addresses = [f"customer{n}@plant.example.com" for n in range(30)]
    for address in addresses:
        make_ticket(send_confirmation=True, email=address)
    config = json.dumps(worker_config)
    start_at = str(time.time() + 3)

    processes = [
        subprocess.Popen(
            [sys.executable, str(RACE_WORKER), config, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    received = smtp.inbox.messages
    assert sorted(m["To"] for m in received) == sorted([*addresses, "supervisor@desk.test"])
    assert len({m["Message-ID"] for m in received}) == len(received)
