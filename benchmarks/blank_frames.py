"""A memory card that is mostly empty: how many of its frames reach matching and review.

    .venv/bin/python benchmarks/blank_frames.py [--bursts 100] [--frames 10] [--animals 30]

One deployment's batch of `--bursts` x `--frames` generated frames (640x480, Reconyx-like data
strips, one camera scene), bursts 10 minutes apart so each is an event; `--animals` bursts have
an animal walking through, the others are empty (the camera triggered by wind or heat). The
frames are stored as an upload stores them (store_image, waiting for detection), then detected
three ways, each in its own project:

- `import`: a MegaDetector batch-output file with the true boxes (what MegaDetector or AddaxAI
  would write on a good day): the upper bound of the detection stage's bookkeeping;
- `motion`: the offline default, no weights;
- `none`: whole frames, every frame a sighting (the app before detection).

For each: frames kept blank, sightings queued for review, animal frames whose animal got a
box (IoU >= 0.5), false sightings on empty frames, and the time the stage took. Throw-away
SQLite database and media folder under benchmarks/out/; writes benchmarks/out/blank_frames.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

from benchmarks.upload import configure_django  # noqa: E402


def build_frames(bursts: int, frames: int, animals: int):
    from identification.services.synthetic import camera_burst

    every = max(1, bursts // max(1, animals))
    out: list[tuple[int, Any, tuple[float, float, float, float] | None]] = []  # (burst, image, box)
    for b in range(bursts):
        has_animal = b % every == 0 and sum(1 for f in out if f[2]) < animals * frames
        images, boxes = camera_burst(
            seed=1000 + b, frames=frames, size=(640, 480), animal_share=0.15, strip_height=16,
            animal=has_animal, scene_seed=7,
        )  # fmt: skip
        for k, image in enumerate(images):
            out.append((b, image, boxes[k] if has_animal else None))
    return out


def store(project, deployment, frames):
    import io

    from identification.models import Batch
    from identification.services.events import regroup_events
    from identification.services.ingest import store_image
    from tests.images import exif_bytes

    batch = Batch.objects.create(
        project=project, deployment=deployment, kind=Batch.Kind.FILES, status=Batch.Status.DONE
    )
    start = dt.datetime(2024, 5, 1, 6, 0, 0)
    names = []
    for n, (b, image, _) in enumerate(frames):
        taken = start + dt.timedelta(minutes=10 * b, seconds=n % 10)
        data = io.BytesIO()
        image.save(data, "JPEG", quality=90, exif=exif_bytes(taken))
        name = f"DCIM/100RECNX/RCNX{n + 1:04d}.JPG"
        store_image(project, io.BytesIO(data.getvalue()), name, deployment=deployment,
                    batch=batch, detect=True)  # fmt: skip
        names.append(name)
    regroup_events(deployment)
    return batch, names


def md_output(names, frames) -> bytes:
    images = [
        {"file": name, "detections": [] if box is None else
         [{"category": "1", "conf": 0.95, "bbox": [round(v, 4) for v in box]}]}
        for name, (_, _, box) in zip(names, frames, strict=True)
    ]  # fmt: skip
    return json.dumps({"images": images, "info": {"detector": "truth"}}).encode()


def measure(backend: str, frames, names_and_batch, project) -> dict:
    from identification.models import Media, Sighting
    from identification.services import detection_import
    from identification.services.review_queue import QueueFilters, counts
    from worker.pipeline.detection import Detection
    from worker.reid.detection import detect_chunk

    batch, names = names_and_batch
    t0 = time.perf_counter()
    if backend == "import":
        detection_import.import_file(batch, md_output(names, frames), "truth.json")
    else:
        while detect_chunk(batch):
            pass
    seconds = time.perf_counter() - t0
    media = {m.original_name: m for m in Media.objects.filter(batch=batch)}
    found = false = 0
    for name, (_, _, box) in zip(names, frames, strict=True):
        sightings = list(Sighting.objects.filter(media=media[name]))
        if box is None:
            false += len(sightings)
            continue
        truth = Detection("animal", 1.0, box)
        if any(
            s.bbox is not None and Detection("animal", 1.0, s.bbox).iou(truth) >= 0.5
            for s in sightings
        ):  # fmt: skip
            found += 1
    animal_frames = sum(1 for f in frames if f[2] is not None)
    return {
        "backend": backend,
        "frames": len(frames),
        "animal_frames": animal_frames,
        "blank": sum(m.is_blank for m in media.values()),
        "queued_for_review": counts(project, QueueFilters())["pending"],
        "animal_frames_boxed": found,
        "false_sightings_on_empty_frames": false,
        "seconds": round(seconds, 1),
        "frames_per_second": round(len(frames) / seconds, 1) if seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bursts", type=int, default=100)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--animals", type=int, default=30)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="blank-frames-", dir=OUT if OUT.exists() else None))
    try:
        configure_django(var)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from identification.models import Deployment, Project

        frames = build_frames(args.bursts, args.frames, args.animals)
        rows = []
        for backend in ("import", "motion", "none"):
            project = Project.objects.create(name=f"Card {backend}", detector=backend)
            deployment = Deployment.objects.create(project=project, code="CAM-01")
            t0 = time.perf_counter()
            stored = store(project, deployment, frames)
            ingest = time.perf_counter() - t0
            row = measure(backend, frames, stored, project)
            row["ingest_seconds"] = round(ingest, 1)
            rows.append(row)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    header = (
        "backend", "frames", "animal_frames", "blank", "queued_for_review",
        "animal_frames_boxed", "false_sightings_on_empty_frames", "frames_per_second",
    )  # fmt: skip
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[k]) for k in header))
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"args": vars(args), "rows": rows}
    (OUT / "blank_frames.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
