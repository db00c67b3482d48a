"""Server time of the review screen, the next-sighting fragment and a confirm, at scale.

    .venv/bin/python benchmarks/review.py [--sightings 10000] [--individuals 1000]
        [--requests 200]

Builds one project with `--sightings` sightings (3 confirmed per individual, the rest pending
with 5 candidates each, scores and 40 keypoint correspondences) by bulk_create, in a fresh
SQLite file under benchmarks/out/ unless DATABASE_URL names another database (its tables are
created by migrate; the project is deleted afterwards). Requests go through Django's test
client in-process, so the figures are server time (middleware, views, queries, templates)
without network or browser. Prints a table and writes benchmarks/out/review.json (and
review-<database>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))  # run as a plain script
OUT.mkdir(parents=True, exist_ok=True)
DB = OUT / "review-bench.sqlite3"
if "DATABASE_URL" not in os.environ:
    for leftover in OUT.glob("review-bench.sqlite3*"):
        leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reidsite.settings")
os.environ["REIDSITE_ENABLE_REID"] = "0"  # time the web side, not the pipeline

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from identification.models import Candidate, Membership, Project, Role, Sighting  # noqa: E402
from tests.factories import bulk_review_project  # noqa: E402

HX = {"HX-Request": "true"}


def build(n_sightings: int, n_individuals: int, rng: random.Random) -> tuple[Project, User]:
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-expert")
    name = f"Review bench {time.time():.0f}"
    project = bulk_review_project(n_sightings, n_individuals, rng, name)
    Membership.objects.create(project=project, user=user, role=Role.EXPERT)
    return project, user


def timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        reset_queries()
        t0 = time.perf_counter()
        response = fn()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in (200, 302), response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=10_000)
    parser.add_argument("--individuals", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(0)
    setup_test_environment()
    settings.REIDSITE_REVIEW_CLAIM_SECONDS = 120
    t0 = time.perf_counter()
    project, user = build(args.sightings, args.individuals, rng)
    build_s = time.perf_counter() - t0
    client = Client()
    client.force_login(user)
    pending = list(project.sightings.filter(status="pending").values_list("pk", flat=True))
    rng.shuffle(pending)
    n = min(args.requests, len(pending) // 2)
    screens = iter(pending[:n])
    to_confirm = iter(pending[n : 2 * n])
    slug = project.slug

    def screen():
        return client.get(reverse("review_sighting", args=[slug, next(screens)]))

    def fragment():
        return client.get(reverse("review_next", args=[slug]), headers=HX)

    def confirm():
        pk = next(to_confirm)
        c = Candidate.objects.filter(sighting_id=pk, rank=1).values_list("pk", flat=True)[0]
        s = Sighting.objects.only("version").get(pk=pk)
        url = reverse("review_decide", args=[slug, pk])
        data = {"action": "confirm", "candidate": c, "version": s.version}
        return client.post(url, data, headers=HX)

    # Warm up caches (templates, URL resolver, SQLite pages) before measuring.
    for _ in range(5):
        client.get(reverse("review_next", args=[slug]), headers=HX)
    results = {}
    for name, fn in [("review screen", screen), ("next-sighting fragment", fragment),
                     ("confirm (+ next fragment)", confirm)]:  # fmt: skip
        times = sorted(timed(fn, n))
        results[name] = {
            "n": len(times),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1),
        }
    vendor = connection.vendor
    report = {
        "database": vendor,
        "sightings": args.sightings,
        "individuals": args.individuals,
        "candidates": Candidate.objects.filter(sighting__project=project).count(),
        "build_seconds": round(build_s, 1),
        "results": results,
    }
    print(f"{args.sightings} sightings, {args.individuals} individuals, {vendor}, "
          f"built in {build_s:.0f} s")  # fmt: skip
    print(f"{'request':<28}{'n':>5}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    for name, r in results.items():
        print(f"{name:<28}{r['n']:>5}{r['median_ms']:>12}{r['p95_ms']:>10}{r['max_ms']:>10}")
    # review.json is the latest run; review-<vendor>.json keeps one per database.
    for name in ("review.json", f"review-{vendor}.json"):
        (OUT / name).write_text(json.dumps(report, indent=2) + "\n")
    if os.environ["DATABASE_URL"].endswith(str(DB)):
        return
    project.delete()  # a shared database keeps nothing of the run


if __name__ == "__main__":
    main()
