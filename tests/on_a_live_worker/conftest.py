"""A real Celery worker process, on the real broker, against the test database.

These tests need Redis (CELERY_BROKER_URL=redis://…, as `make test` sets up) and skip with a
reason elsewhere. They use `transactional_db` so the worker sees committed rows.
"""

from __future__ import annotations

import os
import shutil
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

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "reidsite", "worker",
            "--queues", self.queues, "--pool", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"test-{self.queues}-{time.monotonic_ns()}@%h",
        ]  # fmt: skip

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(
            self.command(),
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


class BeatProcess(WorkerProcess):
    """celery beat, as the compose file's `beat` service runs it (it sends the sweeps)."""

    def command(self) -> list[str]:
        schedule = self.log.with_suffix(".schedule")
        return [
            sys.executable, "-m", "celery", "-A", "reidsite", "beat",
            "--loglevel", "INFO", "--schedule", str(schedule),
        ]  # fmt: skip


# The sweeper made quick for a test: a batch without progress for 6 s is re-queued; beat sends
# a sweep every 2 s. The worker reads the first, beat the second: give both to both.
QUICK_SWEEPER = {"REIDSITE_SWEEP_STALLED_MINUTES": "0.1", "REIDSITE_SWEEP_INTERVAL_SECONDS": "2"}


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

    def start(queues: str = "cpu,gpu", *, beat: bool = False, **extra_env: str) -> WorkerProcess:
        """With beat=True, celery beat instead (in its own process, as in production)."""
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "REIDSITE_ENABLE_REID": "1" if settings.REIDSITE_ENABLE_REID else "0",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        kind = BeatProcess if beat else WorkerProcess
        name = f"{'beat' if beat else 'worker'}-{len(started)}.log"
        worker = kind(queues, env, tmp_path / name).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


class RedisServer:
    """The test run's Redis (scripts/services.sh): killed and started again from its config,
    with its append-only file, or without it, as a Redis without persistence comes back."""

    def __init__(self, config: Path):
        self.config = config
        lines = dict(line.split(" ", 1) for line in config.read_text().splitlines() if line)
        self.port, self.data = lines["port"], Path(lines["dir"])
        self.pidfile = Path(lines["pidfile"])

    def ping(self) -> bool:
        probe = ["redis-cli", "-p", self.port, "ping"]
        return subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "PONG"

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill: no shutdown save."""
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, "Redis to die")

    def start(self, *, keep_data: bool = True) -> None:
        if not keep_data:
            shutil.rmtree(self.data)
            self.data.mkdir()
        subprocess.run(["redis-server", str(self.config)], check=True, capture_output=True)
        wait_for(self.ping, 20, "Redis to answer again")


@pytest.fixture
def redis_server(broker_url) -> Iterator[RedisServer]:
    config = os.environ.get("REIDSITE_REDIS_CONF")
    if not config:
        pytest.skip("needs the Redis that scripts/services.sh starts (REIDSITE_REDIS_CONF)")
    server = RedisServer(Path(config))
    yield server
    if not server.ping():  # whatever the test did, the next one gets a Redis
        server.start()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    detail = f"\n--- worker log ---\n{worker.output()}" if worker else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
