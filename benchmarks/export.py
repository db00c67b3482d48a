"""Time and memory of the sightings CSV and capture-history downloads on a large project.

    .venv/bin/python benchmarks/export.py [--sightings 100000] [--individuals 2000]

Builds one project with `--sightings` sightings on 20 deployments over a year (half confirmed
with their candidate, a quarter pending with two candidates, the rest proposed new or
rejected) by bulk_create, in a fresh SQLite file under benchmarks/out/ unless DATABASE_URL
names another database (its tables are created by migrate). Each download then runs in a
fresh child process (this script with --child) through the real view and Django's test
client, reading the streamed body chunk by chunk without keeping it, so the child's peak
RSS (VmHWM) is the export's own: a plain run for wall time and RSS, then a second run under
tracemalloc for the peak of Python allocations. Prints a table, writes
benchmarks/out/export.json (and export-<database>.json) and deletes the project.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))  # run as a plain script
OUT.mkdir(parents=True, exist_ok=True)
DB = OUT / "export-bench.sqlite3"
CHILD = "--child" in sys.argv
if "DATABASE_URL" not in os.environ:
    if not CHILD:
        for leftover in OUT.glob("export-bench.sqlite3*"):
            leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reidsite.settings")
os.environ["REIDSITE_ENABLE_REID"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from identification.models import (  # noqa: E402
    Candidate,
    Deployment,
    Individual,
    Membership,
    Project,
    Role,
    Sighting,
)
from tests.factories import bulk_decide, bulk_media  # noqa: E402

VERSIONS = {"global": "bench-global", "aliked": "bench-aliked"}


def build(n: int, n_individuals: int, rng: random.Random) -> Project:
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-exporter")
    project = Project.objects.create(name=f"Export bench {time.time():.0f}", time_zone="UTC")
    Membership.objects.create(project=project, user=user, role=Role.RANGER)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=365)
    deployments = Deployment.objects.bulk_create(
        Deployment(
            project=project,
            code=f"CAM-{i:02d}",
            latitude=-27.9 + i * 0.01,
            longitude=32.3 + (i % 5) * 0.01,
            start=start + dt.timedelta(days=i),
            end=start + dt.timedelta(days=300 + i),
        )  # fmt: skip
        for i in range(20)
    )
    individuals = Individual.objects.bulk_create(
        Individual(project=project, code=f"IND-{i:05d}", name=f"Animal {i}")
        for i in range(1, n_individuals + 1)
    )
    step = dt.timedelta(seconds=300 * 86400 // max(n, 1))
    media = bulk_media(project, deployments, n, start, step, "DCIM/IMG_{i:06d}.JPG")
    kinds = ["confirmed", "confirmed", "pending", "other"]
    sightings, chosen, statuses = [], [], []
    for i, m in enumerate(media):
        kind = kinds[i % 4]
        individual = rng.choice(individuals) if kind == "confirmed" else None
        statuses.append({"other": rng.choice(["pending", "rejected"])}.get(kind, kind))
        sightings.append(
            Sighting(project=project, media=m, pipeline_status="matched", p_new=rng.random(),
                     side="left")
        )  # fmt: skip
        chosen.append(individual)
    sightings = Sighting.objects.bulk_create(sightings, batch_size=2000)
    candidates = []
    for s, individual, status in zip(sightings, chosen, statuses, strict=True):
        if status == "rejected":
            continue
        others = rng.sample(individuals, 2)
        picks = [individual] if individual else others
        for rank, ind in enumerate(picks, start=1):
            candidates.append(
                Candidate(
                    sighting=s,
                    rank=rank,
                    individual=ind,
                    fused=rng.random(),
                    model_versions=VERSIONS,
                )  # fmt: skip
            )
    Candidate.objects.bulk_create(candidates, batch_size=2000)
    # Confirmed and no-animal sightings decided as an expert would have, with their trail.
    expert, _ = get_user_model().objects.get_or_create(username="bench-expert")
    Membership.objects.create(project=project, user=expert, role=Role.EXPERT)
    decided = [(s, ind) for s, ind, st in zip(sightings, chosen, statuses, strict=True)
               if st != "pending"]  # fmt: skip
    bulk_decide([s for s, _ in decided], [ind for _, ind in decided], by=expert)
    return project


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child(slug: str, what: str, trace: bool) -> None:
    """One download through the real view; prints a JSON line."""
    import tracemalloc

    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-exporter"))
    project = Project.objects.get(slug=slug)
    query: dict[str, Any]  # Client.get turns the date into its ISO text
    if what == "csv":
        url, query = reverse("export_sightings", args=[slug]), {}
    else:
        earliest = project.deployments.order_by("start").first()
        assert earliest is not None and earliest.start is not None
        first = earliest.start.date()
        url = reverse("export_capture_history", args=[slug])
        query = {"start": first, "end": first + dt.timedelta(days=364), "days": 7,
                 "format": what, "detector": "count"}  # fmt: skip
    before = vm_hwm_kib()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    size = lines = 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        body = response.streaming_content if response.streaming else [response.content]  # type: ignore[attr-defined]
        for chunk in body:
            size += len(chunk)
            lines += chunk.count(b"\n") if what == "csv" else 0
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    assert response.status_code == 200, response.status_code
    print(json.dumps({
        "wall_s": round(wall, 2), "bytes": size, "lines": lines, "queries": len(queries),
        "rss_before_mib": round(before / 1024, 1), "rss_peak_mib": round(vm_hwm_kib() / 1024, 1),
        "tracemalloc_peak_mib": round(peak / 2**20, 1) if peak is not None else None,
    }))  # fmt: skip


def run_child(slug: str, what: str, trace: bool) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", slug, what] + (["--trace"] if trace else []),
        capture_output=True, text=True, check=True, env=os.environ,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if CHILD:
        i = sys.argv.index("--child")
        child(sys.argv[i + 1], sys.argv[i + 2], "--trace" in sys.argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=100_000)
    parser.add_argument("--individuals", type=int, default=2_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    project = build(args.sightings, args.individuals, random.Random(0))
    build_s = time.perf_counter() - t0
    results = {}
    try:
        for what, label in (("csv", "sightings CSV"), ("secr", "capture history secr, 7 d"),
                            ("mark", "capture history MARK, 7 d")):  # fmt: skip
            plain = run_child(project.slug, what, trace=False)
            plain["tracemalloc_peak_mib"] = run_child(project.slug, what, trace=True)[
                "tracemalloc_peak_mib"
            ]
            results[label] = plain
    finally:
        if not os.environ["DATABASE_URL"].endswith(str(DB)):
            project.delete()  # a shared database keeps nothing of the run
    vendor = connection.vendor
    load = os.getloadavg()
    report = {
        "database": vendor,
        "sightings": args.sightings,
        "individuals": args.individuals,
        "build_seconds": round(build_s, 1),
        "load_average_1_5_15": [round(x, 1) for x in load],
        "results": results,
    }
    print(f"{args.sightings} sightings, {args.individuals} individuals, {vendor}, "
          f"built in {build_s:.0f} s, load average {load[0]:.1f}")  # fmt: skip
    head = f"{'download':<28}{'wall s':>8}{'MB':>8}{'lines':>9}{'queries':>9}"
    print(head + f"{'RSS start':>10}{'RSS peak':>10}{'py peak MiB':>13}")
    for name, r in results.items():
        row = f"{name:<28}{r['wall_s']:>8}{r['bytes'] / 1e6:>8.1f}{r['lines']:>9}{r['queries']:>9}"
        print(
            row + f"{r['rss_before_mib']:>10}{r['rss_peak_mib']:>10}{r['tracemalloc_peak_mib']:>13}"
        )
    for name in ("export.json", f"export-{vendor}.json"):
        (OUT / name).write_text(json.dumps(report, indent=2) + "\n")
    if os.environ["DATABASE_URL"].endswith(str(DB)):
        for leftover in OUT.glob("export-bench.sqlite3*"):
            leftover.unlink()


if __name__ == "__main__":
    main()
