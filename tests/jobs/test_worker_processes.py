"""The worker process: huey's consumer running the jobs, on SQLite or Redis."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis

from servicedesk import jobs

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["sqlite", "redis"])
def broker(request) -> str:
    if request.param == "redis":
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.ConnectionError:
            pytest.skip("Redis is not running on 127.0.0.1:6379")
    return request.param


@pytest.fixture
def app_config(app_config, broker):
    if broker == "sqlite":
        return app_config
    return app_config | {"REDIS_URL": REDIS_URL, "JOBS_QUEUE": f"test-{uuid.uuid4().hex}"}


WORKER = """
import json, logging, sys
from servicedesk import create_app
from servicedesk.jobs import run_worker
logging.basicConfig(level=logging.INFO)
run_worker(create_app(json.loads(sys.argv[1]), load_entrypoints=False), workers=2)
"""


def _logged(log: list[str], *words: str) -> bool:
    return any(all(word in line for word in words) for line in log)


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_the_worker_delivers_a_confirmation_right_after_its_commit(
    app, smtp, make_ticket, broker, worker_config
):
    smtp.start()
    jobs.init_app(app)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(worker_config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(worker.stderr), daemon=True)
    reader.start()
    try:
        # Started, and its first scheduled delivery (at start-up) is done; the
        # next one is a minute away, so only the request at commit can send now.
        assert _wait_for(lambda: _logged(log, "Huey consumer started"), 30), log
        assert _wait_for(lambda: _logged(log, "every-minute:outbox.deliver", "executed"), 10), log
        created = make_ticket(send_confirmation=True, email="buyer@plant.example.com")

        assert _wait_for(lambda: len(smtp.inbox.messages) == 1, 15), log
        time.sleep(1)
        [mail] = smtp.inbox.messages
        assert created.ticket.reference in mail["Subject"]
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        reader.join(timeout=5)
