"""Load: experts reviewing and rangers uploading at the same time, against the real stack.

    .venv/bin/python benchmarks/load.py [--duration 300] [--experts 20] [--rangers 2]
        [--think 2.0] [--upload-files 5] [--web-workers 5] [--max-requests 50000]
        [--pending N] [--individuals 300]

Starts throwaway PostgreSQL 15 and Redis servers (scripts/services.sh, as `make test` does),
migrates, collects the static files and builds one project (tests/factories.bulk_review_project, as
benchmarks/review.py does): `--individuals` individuals with three confirmed images each,
`--pending` pending sightings with five candidates each (scores and 40 keypoint
correspondences, as the matcher stores them), 20 deployments, `--experts` experts and
`--rangers` rangers, each user with a session of its own. Then it starts gunicorn (DEBUG
off, `--web-workers` sync workers, as docker-compose.yml runs it) on a free port of 127.0.0.1
and one Celery worker for the `cpu` queue (ingest), and waits until both answer.

Each expert (a thread) sends what the review screen's browser sends: the queue's "review"
link (`review next`, a redirect) and the sighting's page (`review screen`), the claim the
screen POSTs when it loads (`claim`), a pause of --think seconds (0.5 to 1.5 times, at random)
and a confirm of the first candidate (`decide`, htmx; it answers with the next sighting's
screen, which is claimed and decided in turn). After one decision in 10, at random, it goes
back to the queue. The experts start within --think seconds of each other.
Each ranger uploads --upload-files new camera-trap JPEGs to the deployment (`upload`) and
polls the batch page every 2 s (`batch progress`) until the worker has stored them, then
uploads again. Everything stops after --duration seconds or
--max-requests requests, whichever comes first; every request has a 30 s timeout. The servers
are then stopped and their data deleted.

The `gpu` queue is not consumed: the web processes queue the re-ID and bookkeeping tasks on
Redis as in production, but the re-ID models do not run (they are not measured here, and on a
small machine they would take the cores the web needs).

Prints p50 / p95 / max per request kind, the errors (any status >= 400, 5xx, timeout or
refused connection), and the decision check: every confirm answered 2xx as done must be in
the Decision trail exactly once (0 lost, 0 doubled), and the trail must hold no confirm that
was not answered so. Writes benchmarks/out/load.json.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))  # run as a plain script
HX = {"HX-Request": "true"}
HX_FORM = {**HX, "Content-Type": "application/x-www-form-urlencoded"}
TIMEOUT = 30.0
REVIEW_KINDS = ("review next", "review screen", "claim", "decide")
KINDS = (*REVIEW_KINDS, "upload", "batch progress")
# gunicorn's access log: method, path, status, microseconds from request to response.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
SERVER_KINDS = {
    "review next": ("GET", re.compile(r"/review/next/$")),
    "review screen": ("GET", re.compile(r"/review/\d+/$")),
    "claim": ("POST", re.compile(r"/review/\d+/claim/$")),
    "decide": ("POST", re.compile(r"/review/\d+/decide/$")),
    "upload": ("POST", re.compile(r"/upload/$")),
    "batch progress": ("GET", re.compile(r"/batches/\d+/$")),
}
# An expert goes back to the queue's "review" link after one decision in this many.
REOPEN_EVERY = 10
TARGET_P95_MS = 300


# ----------------------------------------------------------------------------- servers


def start_services() -> dict[str, str]:
    """Throwaway PostgreSQL and Redis on free ports of 127.0.0.1 (scripts/services.sh)."""
    run = subprocess.run(
        [str(ROOT / "scripts" / "services.sh"), "start"], capture_output=True, text=True, check=True
    )
    env = dict(re.findall(r"^export (\w+)=(.*)$", run.stdout, re.MULTILINE))
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres") as conn:
        conn.autocommit = True
        conn.execute("create database reidsite")
    return env


def stop_services(env: dict[str, str]) -> None:
    if "REIDSITE_SERVICES_DIR" in env:
        subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "stop", env["REIDSITE_SERVICES_DIR"]]
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(services: dict[str, str], work: Path) -> None:
    """Production-like settings for this process and the servers it starts."""
    os.environ.update(
        services,
        CELERY_BROKER_URL=services["REDIS_URL"],
        DJANGO_SETTINGS_MODULE="reidsite.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback; no TLS proxy in front
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        REIDSITE_VAR_DIR=str(work / "var"),
        DATABASE_CONN_MAX_AGE="60",  # as docker-compose.yml: one connection per process
        REIDSITE_ENABLE_REID="1",  # tasks are queued as in production (the gpu queue idles)
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)


def start_process(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=log.open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


# ----------------------------------------------------------------------------- data


def build(args) -> dict:
    """The project (tests/factories.bulk_review_project), its experts and rangers, logged in."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from identification.models import Membership, Role
    from tests.factories import bulk_review_project

    n_sightings = 3 * args.individuals + args.pending
    project = bulk_review_project(n_sightings, args.individuals, random.Random(0), "Load benchmark")

    def users(prefix: str, n: int, role: str) -> list[tuple[str, dict]]:
        out = []
        for i in range(n):
            user = get_user_model()(username=f"{prefix}{i:02d}")
            user.set_unusable_password()  # sessions below; password hashing is not measured
            user.save()
            Membership.objects.create(project=project, user=user, role=role)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            # The backend that signs users in (axes' comes first, but only checks lockouts).
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            out.append((user.username, {"sessionid": session.session_key}))
        return out

    first_deployment = project.deployments.order_by("pk").first()
    assert first_deployment is not None  # bulk_review_project makes 20
    return {
        "project": project,
        "slug": project.slug,
        "deployment": first_deployment.pk,
        "experts": users("expert", args.experts, Role.EXPERT),
        "rangers": users("ranger", args.rangers, Role.RANGER),
    }


def camera_trap_files(n: int, serial: int) -> list[tuple[str, bytes]]:
    """n new camera-trap-like JPEGs: a synthetic animal, made unique by a JPEG comment."""
    from identification.services.synthetic import camera_trap_jpeg

    out = []
    for i in range(n):
        base = camera_trap_jpeg(i % 7, serial % 5, None, size=(1280, 960))
        comment = f"load {serial}-{i} {time.time_ns()}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        out.append((f"LOAD_{serial:04d}_{i:02d}.JPG", base[:2] + segment + base[2:]))
    return out


# ----------------------------------------------------------------------------- clients


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the start
    ms: float
    status: int  # 0: no answer (timeout, refused)
    error: bool


@dataclass
class Run:
    port: int
    deadline: float
    max_requests: int
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    confirmed: list[tuple[int, str]] = field(default_factory=list)  # (sighting, expert)
    refused: int = 0
    empty_queue: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def going(self) -> bool:
        return time.monotonic() < self.deadline and len(self.samples) < self.max_requests

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Browser:
    """One signed-in user: cookies, the CSRF token, requests timed into the run."""

    def __init__(self, run: Run, cookies: dict[str, str]):
        self.run, self.cookies = run, dict(cookies)

    def request(self, kind, method, path, body=None, headers=None, ok=(200,)):
        """(status, text, Location); status 0 when nothing came back. Timed and recorded as
        `kind` (a warm-up is not)."""
        headers = {**(headers or {}), "Host": f"127.0.0.1:{self.run.port}"}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.run.port}{path}"
        start = time.monotonic()
        status, text, location = 0, "", ""
        try:
            # gunicorn's sync workers close every connection: a new one per request.
            conn = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=TIMEOUT)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            status, text = response.status, response.read().decode("utf-8", "replace")
            location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            conn.close()
        except (OSError, http.client.HTTPException):
            pass
        ms = (time.monotonic() - start) * 1000
        error = status not in ok
        if kind != "warm-up":
            self.run.record(Sample(kind, start - self.run.started, ms, status, error))
        if error:
            time.sleep(1)  # no tight loop against a failing server
        return status, text, location


_SIGHTING = re.compile(r'data-sighting="(\d+)"')
# The first candidate's confirm form (whitespace between its inputs is the template's layout).
_CONFIRM = re.compile(
    r'name="action" value="confirm">\s*<input type="hidden" name="candidate" value="(\d+)">'
    r'\s*<input type="hidden" name="version" value="(\d+)">'
)


def expert(run: Run, slug: str, name: str, cookies: dict, think: float, seed: int) -> None:
    """What an expert's browser sends: the queue's "review" link (`review next`, a redirect to
    the sighting's page, `review screen`), the claim the screen POSTs when it loads (`claim`),
    a pause of about `think` seconds, then a confirm (`decide`, htmx), which answers with the
    next sighting's screen; that one is claimed and decided in turn. After one decision in
    REOPEN_EVERY (at random) the expert goes back to the queue and opens the next one again.
    The experts start within `think` seconds of each other, not all at once."""
    rng = random.Random(seed)
    browser = Browser(run, cookies)
    base = f"/p/{slug}/review"
    time.sleep(rng.uniform(0, think))  # twenty people do not open the queue in one millisecond
    screen = ""
    while run.going():
        if not screen or rng.random() < 1 / REOPEN_EVERY:
            status, _, location = browser.request("review next", "GET", f"{base}/next/", ok=(302,))
            if status != 302:
                continue
            if f"{base}/next/" in location:  # the queue is empty (or all held): the empty page
                with run.lock:
                    run.empty_queue += 1
                return
            status, screen, _ = browser.request("review screen", "GET", urlsplit(location).path)
            if status != 200:
                screen = ""
                continue
        found, form = _SIGHTING.search(screen), _CONFIRM.search(screen)
        if not found or not form or "is reviewing this sighting until" in screen:
            screen = ""  # another expert holds it, or it is decided: back to the queue
            continue
        pk = int(found.group(1))
        if f"{base}/{pk}/claim/" in screen:
            status, _, _ = browser.request(
                "claim", "POST", f"{base}/{pk}/claim/", "", HX_FORM, ok=(204, 409)
            )
            if status != 204:
                screen = ""  # held by someone else since it was rendered
                continue
        pause = think * rng.uniform(0.5, 1.5)
        if time.monotonic() + pause >= run.deadline:
            return
        time.sleep(pause)
        body = f"action=confirm&candidate={form.group(1)}&version={form.group(2)}"
        status, text, _ = browser.request("decide", "POST", f"{base}/{pk}/decide/", body, HX_FORM)
        screen = text if status == 200 else ""
        if status == 200 and f"Sighting {pk} confirmed as" in text:
            with run.lock:
                run.confirmed.append((pk, name))
        elif status == 200:
            with run.lock:
                run.refused += 1  # a clear conflict message, nothing saved


def ranger(run: Run, slug: str, deployment: int, cookies: dict, files: int, serial: int) -> None:
    browser = Browser(run, cookies)
    browser.request("warm-up", "GET", f"/p/{slug}/upload/")  # the CSRF cookie
    while run.going():
        boundary = f"----load{secrets.token_hex(8)}"
        parts = [("csrfmiddlewaretoken", browser.cookies.get("csrftoken", "")),
                 ("deployment", str(deployment))]  # fmt: skip
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in parts
        )
        for filename, data in camera_trap_files(files, serial):
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                    f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
                ).encode()
                + data
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        serial += 1000
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, _, batch_url = browser.request(
            "upload", "POST", f"/p/{slug}/upload/", body, headers, ok=(302,)
        )
        if status != 302:
            continue
        while run.going():
            _, text, _ = browser.request("batch progress", "GET", batch_url, headers=HX)
            if 'data-status="done"' in text or 'data-status="failed"' in text:
                break
            time.sleep(min(2.0, max(0.0, run.deadline - time.monotonic())))


# ----------------------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def decision_check(run: Run, project) -> dict:
    from identification.models import Decision

    trail = collections.Counter(
        Decision.objects.filter(project=project, action=Decision.Action.CONFIRM)
        .exclude(user__username__startswith="curator-")  # the gallery, built before the run
        .values_list("sighting_id", "user__username")
    )
    answered = collections.Counter(run.confirmed)
    return {
        "answered_2xx": sum(answered.values()),
        "in_trail_once": sum(1 for key in answered if trail[key] == 1),
        "lost": sum(1 for key in answered if trail[key] == 0),
        "doubled": sum(1 for key in answered if trail[key] > 1),
        "answered_twice": sum(1 for n in answered.values() if n > 1),
        "in_trail_not_answered": sum(1 for key in trail if key not in answered),
        "refused_with_a_message": run.refused,
    }


def report(run: Run, args, elapsed: float, world: dict, loads: tuple) -> dict:
    results: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        samples = [s for s in run.samples if s.kind == kind]
        times = [s.ms for s in samples if not s.error]
        results[kind] = {
            "n": len(samples),
            "errors": sum(s.error for s in samples),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None,
            "max_ms": round(max(times), 1) if times else None,
        }
    errors = collections.Counter(
        f"{s.kind}: {s.status or 'no answer'}" for s in run.samples if s.error
    )
    decisions = decision_check(run, world["project"])
    review_p95 = [results[k]["p95_ms"] for k in REVIEW_KINDS if results[k]["p95_ms"] is not None]
    return {
        "experts": args.experts, "rangers": args.rangers, "duration_s": args.duration,
        "elapsed_s": round(elapsed, 1), "think_s": args.think, "web_workers": args.web_workers,
        "upload_files": args.upload_files, "pending": args.pending,
        "individuals": args.individuals, "cpus": os.cpu_count(),
        "load_average_before_after": [round(x, 2) for x in loads],
        "requests": len(run.samples),
        "requests_per_s": round(len(run.samples) / elapsed, 1) if elapsed else None,
        "results": results, "errors": sum(errors.values()), "errors_by_kind": dict(errors),
        "decisions": decisions, "queue_ran_dry_for": run.empty_queue,
        "target": {
            "review_p95_ms_below": TARGET_P95_MS,
            "met": bool(review_p95) and max(review_p95) < TARGET_P95_MS
            and not errors and decisions["lost"] == 0 and decisions["doubled"] == 0,
        },
    }  # fmt: skip


def server_times(access_log: Path, skip: int) -> dict[str, dict[str, Any]]:
    """p50 / p95 per request kind as gunicorn measured them (request in to response out),
    from its access log: the time the web side took, without the generator's own share of
    the two cores (its threads parse every response under one GIL)."""
    times: dict[str, list[float]] = collections.defaultdict(list)
    for line in access_log.read_text().splitlines()[skip:]:
        method, path, _status, micros = line.split()
        kind = next(
            (k for k, (m, rx) in SERVER_KINDS.items() if m == method and rx.search(path)), None
        )
        if kind:
            times[kind].append(int(micros) / 1000)
    return {
        kind: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
               "p95_ms": round(percentile(v, 0.95), 1)}
        for kind, v in times.items()
    }  # fmt: skip


def print_report(report: dict) -> None:
    print(
        f"{report['experts']} experts, {report['rangers']} rangers, {report['elapsed_s']} s, "
        f"gunicorn {report['web_workers']} workers, PostgreSQL 15 + Redis, "
        f"{report['requests']} requests ({report['requests_per_s']}/s)"
    )
    print(f"{'request':<16}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'errors':>8}")
    for kind, r in report["results"].items():
        cells = [r[k] if r[k] is not None else "-" for k in ("p50_ms", "p95_ms", "max_ms")]
        print(f"{kind:<16}{r['n']:>7}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}{r['errors']:>8}")
    server = report.get("server_side", {})
    if server:
        print("as gunicorn measured them (server side):")
        for kind, r in server.items():
            print(f"{kind:<16}{r['n']:>7}{r['p50_ms']:>10}{r['p95_ms']:>10}")
    print(f"errors: {report['errors']} {report['errors_by_kind'] or ''}".rstrip())
    d = report["decisions"]
    print(
        f"decisions answered 2xx: {d['answered_2xx']}; in the trail exactly once: "
        f"{d['in_trail_once']}; lost: {d['lost']}; doubled: {d['doubled']}; in the trail but "
        f"not answered: {d['in_trail_not_answered']}; refused with a message: "
        f"{d['refused_with_a_message']}"
    )
    met = "met" if report["target"]["met"] else "NOT met"
    print(f"target (review p95 < {TARGET_P95_MS} ms, 0 errors, 0 lost, 0 doubled): {met}")


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--experts", type=int, default=20)
    parser.add_argument("--rangers", type=int, default=2)
    parser.add_argument("--think", type=float, default=2.0, help="seconds before a decision")
    parser.add_argument("--upload-files", type=int, default=5, help="JPEGs per upload")
    parser.add_argument("--web-workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--pending", type=int, default=None,
                        help="pending sightings (default: enough for the run)")  # fmt: skip
    parser.add_argument("--individuals", type=int, default=300)
    args = parser.parse_args()
    if args.pending is None:  # every expert deciding all the time, with room to spare
        rate = args.experts / max(args.think, 0.2)
        args.pending = min(50_000, int(rate * args.duration * 1.2) + 100)
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "load-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    services: dict[str, str] = {}
    web = worker = None
    try:
        print("==> PostgreSQL and Redis", flush=True)
        services = start_services()
        configure(services, work)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print("==> migrate, collectstatic, build the project", flush=True)
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        world = build(args)
        connection.close()
        port = free_port()
        print(f"==> gunicorn on 127.0.0.1:{port} and a cpu worker", flush=True)
        web = start_process(
            [sys.executable, "-m", "gunicorn", "reidsite.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(args.web_workers), "--timeout", "600",
             "--access-logfile", str(work / "access.log"), "--access-logformat", ACCESS_FORMAT],
            work / "gunicorn.log",
        )  # fmt: skip
        worker_log = work / "worker.log"
        worker = start_process(
            [sys.executable, "-m", "celery", "-A", "reidsite", "worker", "--queues", "cpu",
             "--pool", "solo", "--loglevel", "INFO", "-n", "load-cpu@%h"],
            worker_log,
        )  # fmt: skip
        probe = Run(port, time.monotonic() + 120, 1000)
        wait_until(
            lambda: Browser(probe, {}).request("warm-up", "GET", "/accounts/login/")[0] == 200,
            120, "gunicorn",
        )  # fmt: skip
        wait_until(lambda: "ready." in worker_log.read_text(errors="replace"), 180, "the worker")
        for _ in range(2 * args.web_workers):  # every gunicorn worker loads its templates
            name, cookies = world["experts"][0]
            Browser(probe, cookies).request("warm-up", "GET", f"/p/{world['slug']}/review/")

        print(f"==> load for {args.duration:g} s", flush=True)
        warm_up_lines = len((work / "access.log").read_text().splitlines())
        loads = [os.getloadavg()[0]]
        run = Run(port, time.monotonic() + args.duration, args.max_requests)
        threads = [
            threading.Thread(
                target=expert, args=(run, world["slug"], name, cookies, args.think, i)
            )
            for i, (name, cookies) in enumerate(world["experts"])
        ] + [
            threading.Thread(
                target=ranger,
                args=(run, world["slug"], world["deployment"], cookies, args.upload_files, i),
            )
            for i, (_, cookies) in enumerate(world["rangers"])
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.duration + TIMEOUT + 30)
        elapsed = time.monotonic() - run.started
        loads.append(os.getloadavg()[0])
        result = report(run, args, elapsed, world, tuple(loads))
        result["server_side"] = server_times(work / "access.log", warm_up_lines)
        connection.close()
    finally:
        stop_process(web)
        stop_process(worker)
        stop_services(services)
    print_report(result)
    (OUT / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    if result["errors"]:  # keep the server logs to say why
        print(f"server logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
