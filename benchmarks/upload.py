"""Upload / ingest: worker throughput on camera-trap-sized JPEGs, and the web process's memory
while a memory-card zip streams through the real upload view.

    .venv/bin/python benchmarks/upload.py [--n 1000] [--zip-gb 2] [--skip-ingest] [--skip-zip]

(a) Stages `--n` 4000x3000 JPEGs with EXIF (20 textured base images, cached under
    benchmarks/out/upload-cache/, each copy with its own EXIF time so every file has its own
    sha256) as one batch, then runs the ingest task code (`process_items` in chunks of 25,
    then `finish_batch` via the last chunk) in this single process: sha256, full decode check,
    EXIF, thumbnail, content-addressed storage, Media + Sighting rows, events.
(b) Writes a zip of `--zip-gb` GB (stored JPEG members), starts the real Django WSGI app in a
    child process (wsgiref, DEBUG off) and POSTs the zip as a streamed multipart body to the
    upload view, sampling the child's RSS from /proc; the zip is deleted afterwards.

Everything runs against a throw-away SQLite database and media folder under benchmarks/out/.
Prints a table and writes benchmarks/out/upload.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
CACHE = OUT / "upload-cache"
sys.path.insert(0, str(ROOT))  # run as a plain script

SIZE = (4000, 3000)
BASES = 20
T0 = dt.datetime(2024, 6, 1, 20, 0, 0)


def configure_django(var_dir: Path) -> None:
    """A private database, media folder and filesystem broker; no re-ID, no shared services."""
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "AWS_STORAGE_BUCKET_NAME"):
        os.environ.pop(key, None)
    os.environ.update(
        REIDSITE_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        REIDSITE_ENABLE_REID="0",
        FILE_UPLOAD_TEMP_DIR=str(var_dir / "tmp"),
        DJANGO_SETTINGS_MODULE="reidsite.settings",
    )
    (var_dir / "tmp").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


# ----------------------------------------------------------------------------- images


def base_images() -> list[bytes]:
    """Textured 12-MP JPEGs (~3-4 MB, like a camera trap's), generated once and cached."""
    import numpy as np
    from PIL import Image

    CACHE.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(BASES):
        path = CACHE / f"base_{SIZE[0]}x{SIZE[1]}_{i:02d}.jpg"
        if not path.exists():
            rng = np.random.default_rng(i)
            small = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
            scene = Image.fromarray(small).resize(SIZE, Image.Resampling.BICUBIC)
            # Sensor noise and foliage-like detail: what makes real JPEGs big and slow.
            grain = rng.normal(0, 14, (SIZE[1] // 2, SIZE[0] // 2, 3)).astype(np.int16)
            grain = np.asarray(
                Image.fromarray((grain + 128).clip(0, 255).astype(np.uint8)).resize(SIZE)
            )
            pixels = (np.asarray(scene, np.int16) + grain.astype(np.int16) - 128).clip(0, 255)
            buf = io.BytesIO()
            Image.fromarray(pixels.astype(np.uint8)).save(buf, "JPEG", quality=90)
            path.write_bytes(buf.getvalue())
        out.append(path.read_bytes())
    return out


def camera_jpeg(bases: list[bytes], i: int) -> bytes:
    """Base image i % 20 with its own EXIF: a time (bursts of 5, 3 s apart), GPS, camera."""
    import piexif

    from tests.images import exif_bytes

    taken = T0 + dt.timedelta(seconds=(i // 5) * 600 + (i % 5) * 3)
    out = io.BytesIO()
    piexif.insert(exif_bytes(taken, lat=-27.9, lon=32.3), bases[i % BASES], out)
    return out.getvalue()


# ----------------------------------------------------------------------------- (a) ingest


class Phases:
    """Wall time spent in each ingest step, by wrapping the module functions store_image uses."""

    NAMES = ("sha256_of", "check_image", "read_exif", "thumbnail_jpeg", "_save_once")

    def __init__(self):
        self.seconds = dict.fromkeys(self.NAMES, 0.0)

    def install(self):
        from identification.services import ingest

        self._saved = {name: getattr(ingest, name) for name in self.NAMES}
        for name, fn in self._saved.items():
            setattr(ingest, name, self._timed(name, fn))

    def uninstall(self):
        from identification.services import ingest

        for name, fn in self._saved.items():
            setattr(ingest, name, fn)

    def _timed(self, name, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return wrapper


def bench_ingest(n: int, bases: list[bytes]) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from identification.models import Batch, BatchItem, Deployment, Media, Membership, Project
    from identification.services import batches as batch_service
    from worker.tasks import ingest as ingest_tasks

    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(name=f"Bench {user.username}")
    Membership.objects.create(project=project, user=user, role="admin")
    deployment = Deployment.objects.create(project=project, code="CAM-BENCH")
    batch = Batch.objects.create(project=project, deployment=deployment, created_by=user)
    staged_bytes = 0
    for seq in range(1, n + 1):  # what the upload view does, one file at a time
        data = camera_jpeg(bases, seq - 1)
        staged_bytes += len(data)
        name = default_storage.save(f"uploads/staging/{batch.pk}/{seq:06d}", ContentFile(data))
        BatchItem.objects.create(
            batch=batch, seq=seq, original_name=f"IMG_{seq:05d}.JPG", staged_name=name,
            size=len(data),
        )  # fmt: skip

    phases = Phases()
    phases.install()
    cpu0, wall0 = os.times(), time.perf_counter()
    batch_service.start_processing(batch)
    for chunk in batch_service.pending_chunks(batch):
        ingest_tasks.process_items(batch.pk, chunk)  # the task body, in this process
    wall = time.perf_counter() - wall0
    cpu1 = os.times()
    phases.uninstall()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)

    batch.refresh_from_db()
    counts = batch.counts()
    assert batch.status == Batch.Status.DONE and counts["accepted"] == n, (batch.status, counts)
    per_image = {k: round(1000 * v / n, 1) for k, v in phases.seconds.items()}
    per_image["db_events_bookkeeping"] = round(1000 * wall / n - sum(per_image.values()), 1)
    return {
        "images": n,
        "image_size": f"{SIZE[0]}x{SIZE[1]}",
        "mean_file_mb": round(staged_bytes / n / 1e6, 2),
        "wall_s": round(wall, 1),
        "images_per_s": round(n / wall, 2),
        "cpu_s": round(cpu, 1),
        "images_per_cpu_s": round(n / cpu, 2),
        "ms_per_image": per_image,
        "events": deployment.events.count(),
        "media": Media.objects.filter(project=project).count(),
        "draft_vs_full_decode": compare_draft(bases),
    }


def compare_draft(bases: list[bytes], repeat: int = 10) -> dict:
    """Decode check + thumbnail per 12-MP JPEG, with and without the reduced-scale decode."""
    from PIL import ImageOps

    from identification.services import ingest, thumbnails

    def once() -> float:
        start = time.perf_counter()
        for data in bases[:repeat]:
            image, _ = ingest.check_image(io.BytesIO(data), "x.jpg")
            thumbnails.thumbnail_jpeg(ImageOps.exif_transpose(image))
        return 1000 * (time.perf_counter() - start) / repeat

    with_draft = once()
    # ingest's own reference to thumbnails.decode_for_thumbnail, which check_image calls.
    saved = ingest.decode_for_thumbnail  # type: ignore[attr-defined]
    ingest.decode_for_thumbnail = lambda image: None  # type: ignore[attr-defined]
    try:
        full = once()
    finally:
        ingest.decode_for_thumbnail = saved  # type: ignore[attr-defined]
    return {"draft_ms": round(with_draft, 1), "full_decode_ms": round(full, 1)}


# ----------------------------------------------------------------------------- (b) upload RSS


def write_zip(path: Path, gigabytes: float, bases: list[bytes]) -> int:
    target = int(gigabytes * 1024**3)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        i = 0
        while path.stat().st_size < target:
            archive.writestr(f"DCIM/100RECNX/IMG_{i:05d}.JPG", camera_jpeg(bases, i))
            i += 1
    return i


def serve(port: int, var_dir: Path) -> None:
    """Child: the real WSGI app, DEBUG off, on a single-threaded wsgiref server."""
    configure_django(var_dir)
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.DEBUG = False  # production request handling (no query log)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def bench_zip_upload(gigabytes: float, bases: list[bytes], var_dir: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from identification.models import Batch, Deployment, Membership, Project

    user = get_user_model().objects.create_user(f"ranger-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(name=f"Zip bench {user.username}")
    Membership.objects.create(project=project, user=user, role="ranger")
    deployment = Deployment.objects.create(project=project, code="CAM-ZIP")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    csrf = uuid.uuid4().hex  # a 32-character CSRF secret, sent as cookie and header

    zip_path = var_dir / "card.zip"
    t0 = time.perf_counter()
    members = write_zip(zip_path, gigabytes, bases)
    zip_bytes, zip_write_s = zip_path.stat().st_size, time.perf_counter() - t0

    port = 18000 + os.getpid() % 1000
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--var", str(var_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    samples: list[int] = []
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}
        url = reverse("batch_create", args=[project.slug])
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        warm.request("GET", url, headers=headers)
        assert warm.getresponse().status == 200
        warm.close()
        baseline = _rss_kb(child.pid, "VmRSS")

        stop = threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(_rss_kb(child.pid, "VmRSS"))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        status = post_multipart(port, url, headers, zip_path, {"deployment": str(deployment.pk)})
        upload_s = time.perf_counter() - t0
        stop.set()
        sampler.join()
        peak = _rss_kb(child.pid, "VmHWM")
    finally:
        child.terminate()
        child.wait()
        zip_path.unlink(missing_ok=True)

    batch = Batch.objects.filter(project=project).first()
    stored = batch.archive.size if batch and batch.archive else 0
    assert batch is not None and status == 302 and stored == zip_bytes, (status, stored, zip_bytes)
    batch.archive.delete(save=False)  # 2 GB: not kept
    return {
        "zip_gb": round(zip_bytes / 1024**3, 2),
        "zip_members": members,
        "zip_write_s": round(zip_write_s, 1),
        "upload_s": round(upload_s, 1),
        "upload_mb_per_s": round(zip_bytes / 1e6 / upload_s, 1),
        "rss_before_mb": round(baseline / 1024, 1),
        "rss_peak_sampled_mb": round(max(samples) / 1024, 1),
        "rss_high_water_mb": round(peak / 1024, 1),
        "under_300_mb": peak / 1024 < 300,
        "batch_status": batch.status,
    }


def post_multipart(port: int, url: str, headers: dict, path: Path, fields: dict) -> int:
    """POST one file as multipart/form-data, streamed from disk in 1 MB chunks."""
    boundary = uuid.uuid4().hex
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"'
        "\r\nContent-Type: application/zip\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.putrequest("POST", url)
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            conn.send(chunk)
    conn.send(tail)
    status = conn.getresponse().status
    conn.close()
    return status


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="images in the ingest batch")
    parser.add_argument("--zip-gb", type=float, default=2.0, help="size of the uploaded zip")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-zip", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--var", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.var)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.mkdtemp(prefix="upload-bench-", dir=OUT))
    try:
        configure_django(var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        bases = base_images()
        result: dict = {
            "machine": f"{os.cpu_count()} cores shared with other work, "
            f"Python {sys.version.split()[0]}",
            "command": "benchmarks/upload.py " + " ".join(sys.argv[1:]),
        }
        if not args.skip_ingest:
            result["ingest"] = bench_ingest(args.n, bases)
        if not args.skip_zip:
            result["zip_upload"] = bench_zip_upload(args.zip_gb, bases, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    (OUT / "upload.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def print_table(result: dict) -> None:
    print(f"\n{result['command']}  [{result['machine']}]")
    if "ingest" in result:
        r = result["ingest"]
        print(f"\n(a) ingest of {r['images']} JPEGs {r['image_size']} (~{r['mean_file_mb']} MB)")
        print(f"  {'wall':<28}{r['wall_s']:>10} s   {r['images_per_s']:>7} images/s")
        print(
            f"  {'cpu (user+sys)':<28}{r['cpu_s']:>10} s   {r['images_per_cpu_s']:>7} images/cpu-s"
        )
        for name, ms in r["ms_per_image"].items():
            print(f"  {name:<28}{ms:>10} ms/image")
        d = r["draft_vs_full_decode"]
        print(f"  decode+thumbnail: {d['draft_ms']} ms with draft, {d['full_decode_ms']} ms full")
        print(f"  events: {r['events']} (bursts of 5)")
    if "zip_upload" in result:
        r = result["zip_upload"]
        print(f"\n(b) {r['zip_gb']} GiB zip ({r['zip_members']} JPEGs) through the upload view")
        print(f"  {'upload':<28}{r['upload_s']:>10} s   {r['upload_mb_per_s']:>7} MB/s")
        for key in ("rss_before_mb", "rss_peak_sampled_mb", "rss_high_water_mb"):
            print(f"  {key:<28}{r[key]:>10} MB")
        print(f"  under 300 MB: {r['under_300_mb']}")
    print(f"\nJSON: {OUT / 'upload.json'}")


if __name__ == "__main__":
    main()
