"""Seconds from an expert's confirmation to the pending sightings' updated candidates.

    .venv/bin/python benchmarks/confirmation_latency.py \
        [--gallery 1000] [--pending 100] [--confirmations 8] [--next 10] [--threads 2] \
        [--cache-dir benchmarks/out/cache]
        [--data ../shared/data/nyala-dev ../shared/data/lion]

Builds one project in a fresh SQLite file under benchmarks/out/ (or DATABASE_URL's database):
`--gallery` confirmed images (real re-ID images from `--data`, one individual per identity,
confirmed by the curator as the app records it) and `--pending` pending sightings of other
images of the same animals, matched by the app's own matcher (worker.reid.matching) as a batch
would be. Features come from the evaluation's cache (worker.pipeline.evaluation_steps
.extract_all: the same extractor and settings, keyed by image), extracted into it when missing,
and are stored through the app's own store_features.

Then, `--confirmations` times, an expert confirms a pending sighting as its animal through the
decision service with the worker tasks run in-process (Celery eager mode), as a warm worker runs
them: the decision, the gallery update (features, the project's gallery in memory, re-scoring
the pending sightings against the new image) and the decision counter. Two times are
measured from the call: until the queue's next `--next` sightings (default review order) are
up to date (the last of those the new image changed stored; 0 when it changed none), and until
the call returns, every pending sighting re-scored. Queue waiting is not included: the gallery
update goes before batch work on the worker (task priorities), and a busy worker adds at most
the rest of its current slice (REIDSITE_BATCH_SLICE_SECONDS).

Prints a table and writes benchmarks/out/confirmation_latency.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))  # run as a plain script
OUT.mkdir(parents=True, exist_ok=True)
DB = OUT / "latency-bench.sqlite3"
if "DATABASE_URL" not in os.environ:
    for leftover in OUT.glob("latency-bench.sqlite3*"):
        leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reidsite.settings")
os.environ["REIDSITE_ENABLE_REID"] = "1"
os.environ.setdefault("MEDIA_ROOT", str(OUT / "latency-media"))  # links to the --data images

import django  # noqa: E402

django.setup()

import torch  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from identification.models import (  # noqa: E402
    Candidate,
    Individual,
    Media,
    Membership,
    Project,
    Role,
    Sighting,
)
from identification.services import decisions, pipeline_results, review_queue  # noqa: E402
from identification.services.review_queue import QueueFilters  # noqa: E402
from reidsite.celery import app as celery_app  # noqa: E402
from tests.factories import bulk_decide, curator  # noqa: E402
from worker.pipeline.data import Record, load_dataset  # noqa: E402
from worker.pipeline.evaluation_steps import extract_all  # noqa: E402
from worker.pipeline.features import get_extractor  # noqa: E402
from worker.reid import matching, store  # noqa: E402
from worker.reid.calibration import fit_from_gallery  # noqa: E402
from worker.tasks import reid as reid_tasks  # noqa: E402

DEFAULT_DATA = [
    ROOT.parent / "shared" / "data" / "nyala-dev",
    ROOT.parent / "shared" / "data" / "lion",
]


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, nargs="+", default=DEFAULT_DATA)
    p.add_argument("--gallery", type=int, default=1000)
    p.add_argument("--pending", type=int, default=100)
    p.add_argument("--confirmations", type=int, default=8)
    p.add_argument("--next", type=int, default=10, help="the queue's next N sightings")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cache-dir", type=Path, default=OUT / "cache")
    return p.parse_args()


def _order(rec: Record) -> str:
    return hashlib.sha1(rec.image_id.encode()).hexdigest()


def pick(folders: list[Path], n_gallery: int, n_pending: int) -> tuple[list, list]:
    """Gallery and pending records: pending images are of animals with a gallery image."""
    records = []
    for folder in folders:
        for rec in load_dataset(folder):
            records.append((folder.name, rec))
    records.sort(key=lambda fr: _order(fr[1]))
    by_animal: dict[str, list] = defaultdict(list)
    for name, rec in records:
        by_animal[f"{name}/{rec.identity}"].append(rec)
    gallery: list[tuple[str, Record]] = []
    pending: list[tuple[str, Record]] = []
    # Every animal keeps one image back for the pending side where it has two.
    for animal, recs in sorted(by_animal.items(), key=lambda kv: _order(kv[1][0])):
        spare = recs[1:] if len(recs) > 1 else []
        if len(pending) < n_pending and spare:
            pending.append((animal, spare.pop()))
        gallery.extend((animal, r) for r in [recs[0], *spare])
    if len(gallery) < n_gallery:
        raise SystemExit(f"--data has {len(gallery)} gallery images, fewer than {n_gallery}")
    return gallery[:n_gallery], pending


def _media(project: Project, rec: Record, media_root: Path) -> Media:
    link = media_root / "latency" / hashlib.sha1(rec.view_key.encode()).hexdigest()
    link = link.with_suffix(rec.path.suffix)
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(rec.path.resolve())
    with Image.open(rec.path) as image:
        width, height = image.size
    return Media(
        project=project,
        file=str(link.relative_to(media_root)),
        sha256=hashlib.sha256(rec.view_key.encode()).hexdigest(),
        original_name=rec.path.name,
        file_size=rec.path.stat().st_size,
        mime_type="image/jpeg",
        width=width,
        height=height,
    )


def build(args: argparse.Namespace) -> tuple[Project, list[tuple[Sighting, Individual]]]:
    from django.conf import settings

    call_command("migrate", verbosity=0)
    gallery_recs, pending_recs = pick(args.data, args.gallery, args.pending)
    project = Project.objects.create(name=f"Latency bench {time.time():.0f}")
    config = store.project_config(project)
    extractor = get_extractor(config)
    started = time.perf_counter()
    feats, _ = extract_all(extractor, [r for _, r in gallery_recs + pending_recs], args.cache_dir)
    print(f"features: {len(feats)} images in {time.perf_counter() - started:.0f} s (cache)")
    animals = sorted({a for a, _ in gallery_recs})
    individuals = dict(
        zip(
            animals,
            Individual.objects.bulk_create(
                [Individual(project=project, code=f"IND-{i:04d}") for i in range(len(animals))]
            ),
            strict=True,
        )
    )
    media = Media.objects.bulk_create(
        [_media(project, r, Path(settings.MEDIA_ROOT)) for _, r in gallery_recs + pending_recs]
    )
    sightings = Sighting.objects.bulk_create(
        [Sighting(project=project, media=m) for m in media], batch_size=2000
    )
    key = config.config_key()
    for sighting, (_, rec) in zip(sightings, gallery_recs + pending_recs, strict=True):
        pipeline_results.store_features(
            sighting.pk, feats[rec.image_id].to_bytes(), extractor.model_versions, key
        )
    n = len(gallery_recs)
    gallery = sightings[:n]
    for s in gallery:
        s.refresh_from_db()
    bulk_decide(gallery, [individuals[a] for a, _ in gallery_recs], curator(project))
    # As after a catalogue import: the project's calibration is fitted on its gallery.
    started = time.perf_counter()
    fit_from_gallery(project.pk)
    print(f"gallery calibration fitted in {time.perf_counter() - started:.0f} s")
    pending = sightings[n:]
    started = time.perf_counter()
    matching.match_sightings(project, [s.pk for s in pending], config)
    took = time.perf_counter() - started
    each = took / len(pending)
    print(f"matched {len(pending)} pending sightings in {took:.0f} s ({each:.2f} s each)")
    return project, [(s, individuals[a]) for s, (a, _) in zip(pending, pending_recs, strict=True)]


def _candidates(project: Project) -> dict[int, list[tuple[int, float]]]:
    rows = Candidate.objects.filter(
        sighting__project=project, sighting__status=Sighting.Status.PENDING
    ).order_by("sighting_id", "rank")
    out: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for c in rows:
        out[c.sighting_id].append((c.individual_id, round(c.fused, 6)))
    return out


class _Timer:
    """Seconds spent in the named functions of a module while the measured call runs."""

    def __init__(self, module: object, names: list[str]):
        self.spent: dict[str, float] = defaultdict(float)
        for name in names:
            original = getattr(module, name)

            def timed(*a: object, _original=original, _name=name, **k: object) -> object:
                start = time.perf_counter()
                try:
                    return _original(*a, **k)
                finally:
                    self.spent[_name] += time.perf_counter() - start

            setattr(module, name, timed)


def run(args: argparse.Namespace) -> dict:
    torch.set_num_threads(args.threads)
    project, pending = build(args)
    expert = get_user_model().objects.create_user(f"latency-expert-{project.pk}")
    Membership.objects.create(project=project, user=expert, role=Role.EXPERT)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    timer = _Timer(matching.store, ["gallery_for", "extract_missing"])
    rescore = _Timer(reid_tasks, ["rescore_pending"])
    full = _Timer(matching, ["match_sightings"])
    # What a warm worker holds: models loaded and the gallery in memory (matching loaded both).
    rows = []
    for sighting, individual in pending[: args.confirmations]:
        before = _candidates(project)
        timer.spent.clear()
        rescore.spent.clear()
        full.spent.clear()
        sighting.refresh_from_db()
        upcoming = [
            pk
            for pk in review_queue.queue(project, QueueFilters()).values_list("pk", flat=True)
            if pk != sighting.pk
        ][: args.next]
        began = timezone.now()
        start = time.perf_counter()
        decisions.confirm(sighting, individual, by=expert)
        took = time.perf_counter() - start
        after = _candidates(project)
        changed = sum(1 for pk, c in after.items() if before.get(pk) != c)
        # When the last of the queue's next sightings that the new image changed was stored
        # (those it did not change were up to date from the start).
        stored = Sighting.objects.filter(pk__in=upcoming, matched_at__gt=began)
        next_s = max(
            (
                (m - began).total_seconds()
                for m in stored.values_list("matched_at", flat=True)
                if m is not None
            ),
            default=0.0,
        )
        gains = sum(
            1
            for pk, c in after.items()
            if any(i == individual.pk for i, _ in c)
            and not any(i == individual.pk for i, _ in before.get(pk, []))
        )
        rows.append(
            {
                "seconds": took,
                "next_updated_s": next_s,
                "next_changed": stored.count(),
                "gallery_for_s": timer.spent["gallery_for"],
                "extract_s": timer.spent["extract_missing"],
                "rescore_s": rescore.spent["rescore_pending"],
                "full_rematch_s": full.spent["match_sightings"],
                "pending_changed": changed,
                "pending_gained_individual": gains,
            }
        )
        print(
            f"confirmation {len(rows)}: {took:5.2f} s (gallery {timer.spent['gallery_for']:.2f}"
            f" s, re-scoring {rescore.spent['rescore_pending']:.2f} s), {changed} pending changed;"
            f" the queue's next {args.next}: {stored.count()} changed, up to date at {next_s:.2f} s"
        )
    seconds = [r["seconds"] for r in rows]
    nexts = [r["next_updated_s"] for r in rows]
    gallery_size = Sighting.objects.filter(
        project=project, status=Sighting.Status.CONFIRMED
    ).count()
    return {
        "gallery_images": args.gallery,
        "gallery_after": gallery_size,
        "pending": len(pending),
        "confirmations": rows,
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "next": args.next,
        "next_median_s": statistics.median(nexts),
        "next_max_s": max(nexts),
        "threads": args.threads,
        "database": django.db.connection.vendor,
    }


def main() -> None:
    args = _parse()
    result = run(args)
    print()
    n = result["next"]
    print(f"{'gallery':>8} {'pending':>8} {'all: median s':>14} {'max s':>6} "
          f"{f'next {n}: median s':>17} {'max s':>6}")  # fmt: skip
    print(
        f"{result['gallery_images']:>8} {result['pending']:>8} "
        f"{result['median_s']:>14.2f} {result['max_s']:>6.2f} "
        f"{result['next_median_s']:>17.2f} {result['next_max_s']:>6.2f}"
    )
    (OUT / "confirmation_latency.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
