"""A real Celery worker process, on the real broker, against the test database.

These tests need Redis (CELERY_BROKER_URL=redis://…, as `make test` sets up) and skip with a
reason elsewhere. They use `transactional_db` so the worker sees committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reidsite.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, queues: str, env: dict[str, str], log: Path):
        self.queues, self.env, self.log = queues, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        command = [
            sys.executable, "-m", "celery", "-A", "reidsite", "worker",
            "--queues", self.queues, "--pool", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"test-{self.queues}-{time.monotonic_ns()}@%h",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL, as when the machine loses the process: no graceful ack or requeue."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        pytest.skip("needs the real Redis broker: run through `make test` (scripts/test.sh)")
    return url


@pytest.fixture
def start_worker(
    transactional_db, broker_url, settings, tmp_path
) -> Iterator[Callable[..., WorkerProcess]]:
    """start_worker(queues="cpu,gpu", **extra_env) -> a running WorkerProcess."""
    started: list[WorkerProcess] = []
    celery_app.control.purge()  # no task left over from an earlier test
    connection.close()  # do not share the test's connection state with the child

    def start(queues: str = "cpu,gpu", **extra_env: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "REIDSITE_ENABLE_REID": "1" if settings.REIDSITE_ENABLE_REID else "0",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        worker = WorkerProcess(queues, env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    detail = f"\n--- worker log ---\n{worker.output()}" if worker else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
