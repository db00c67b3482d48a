"""Test and benchmark data, built as the app builds it: one module for both.

A confirmed sighting here is confirmed through `services.decisions`, so it has its Decision
(who, when, what was shown, the state before), exactly like one an expert confirmed; the app
never produces a confirmed sighting without one. `bulk_decide` writes the same rows with bulk
inserts for benchmark sizes (tests/test_factories_build_what_the_services_build.py holds it
to what `decisions.confirm` writes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from identification.models import (
    Candidate,
    Decision,
    Deployment,
    Event,
    Individual,
    Media,
    Membership,
    Project,
    Role,
    Sighting,
)
from identification.services import decisions, tracks
from identification.services.review_queue import pick_shown
from identification.services.synthetic import camera_trap_jpeg
from tests.images import jpeg_bytes

_seq = itertools.count(1)
_JPEG: dict[int, bytes] = {}
VERSIONS = {"global": "test-1", "aliked": "test-1"}


def curator(project: Project) -> User:
    """The expert who catalogued the project's gallery (made on first use), kept apart from
    the experts a test acts as, so their last decision and their counts are their own."""
    user, _ = get_user_model().objects.get_or_create(username=f"curator-{project.pk}")
    Membership.objects.get_or_create(project=project, user=user, defaults={"role": Role.EXPERT})
    return user


def add_media(
    project: Project,
    *,
    deployment: Deployment | None = None,
    batch=None,
    event=None,
    taken_at: dt.datetime | None = None,
    width: int = 320,
    height: int = 240,
    image: bytes | None = None,
    name: str | None = None,
) -> Media:
    """A stored image (a small JPEG unless `image` is given) with its Media row."""
    n = next(_seq)
    data = image or _JPEG.setdefault(n % 7, jpeg_bytes(width, height, seed=n % 7, exif=False))
    name = name or f"img{n}.jpg"
    media = Media(
        project=project,
        deployment=deployment,
        batch=batch,
        event=event,
        sha256=hashlib.sha256(data + str(n).encode()).hexdigest(),
        original_name=name,
        file_size=len(data),
        mime_type="image/jpeg",
        width=width,
        height=height,
        taken_at=taken_at
        or timezone.make_aware(dt.datetime(2024, 5, 1, 6, 0) + dt.timedelta(hours=n)),
    )
    media.file.save(name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    media.save()
    return media


def confirm(sighting: Sighting, individual: Individual, by: User | None = None) -> Sighting:
    """Confirm as an expert would (the decision service), by the project's curator by default."""
    decisions.confirm(sighting, individual, by=by or curator(sighting.project))
    return sighting


def add_sighting(
    project: Project,
    *,
    individual: Individual | None = None,
    by: User | None = None,
    p_new: float | None = None,
    **media_kwargs,
) -> Sighting:
    """A sighting of a new image: pending (matched when `p_new` is given) or, with
    `individual`, confirmed as it through the decision service (a gallery image)."""
    sighting = Sighting.objects.create(
        project=project,
        media=add_media(project, **media_kwargs),
        p_new=p_new,
        pipeline_status=Sighting.PipelineStatus.MATCHED
        if p_new is not None
        else Sighting.PipelineStatus.QUEUED,
    )
    if individual is not None:
        confirm(sighting, individual, by)
    return sighting


def animal_sighting(
    project: Project,
    animal: int,
    view: int,
    individual: Individual | None = None,
    batch=None,
    by: User | None = None,
) -> Sighting:
    """A sighting of synthetic animal `animal` seen from `view` (patterned coats the matcher
    can tell apart), confirmed as `individual` when given."""
    data = camera_trap_jpeg(animal, view, None, size=(400, 300))
    return add_sighting(
        project,
        individual=individual,
        by=by,
        batch=batch,
        image=data,
        width=400,
        height=300,
        name=f"animal{animal}_view{view}.jpg",
    )


def add_individual(
    project: Project,
    code: str,
    name: str = "",
    images: int = 2,
    animal: int | None = None,
    by: User | None = None,
) -> Individual:
    """A catalogued individual with confirmed images; with `animal`, synthetic coats."""
    individual = Individual.objects.create(project=project, code=code, name=name)
    for view in range(images):
        image = None if animal is None else _pretty(animal, view)
        add_sighting(project, individual=individual, by=by, image=image, width=640, height=480)
    return individual


def _pretty(animal: int, view: int) -> bytes:
    return camera_trap_jpeg(animal, view, None, size=(640, 480))


def add_candidates(
    sighting: Sighting, individuals: Sequence[Individual], fused: Sequence[float]
) -> list[Candidate]:
    """Ranked candidates as the matcher stores them (gallery image, scores, keypoint lines)."""
    rows = []
    for rank, (individual, p) in enumerate(zip(individuals, fused, strict=True), start=1):
        gallery = individual.sightings.order_by("pk").first()
        rows.append(
            Candidate.objects.create(
                sighting=sighting,
                rank=rank,
                individual=individual,
                gallery_sighting=gallery,
                fused=p,
                scores={
                    "global": {"raw": round(p * 0.8, 3), "calibrated": p},
                    "aliked": {"raw": 40.0 * p, "calibrated": p},
                },
                correspondences=_lines(sighting.pk * 31 + rank),
                model_versions=VERSIONS,
            )
        )
    return rows


def _lines(seed: int, n: int = 24) -> list[list[float]]:
    """Plausible keypoint pairs inside the animal of a 640x480 synthetic frame."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        xq, yq = rng.uniform(180, 460), rng.uniform(100, 380)
        rows.append([xq, yq, xq + rng.uniform(-30, 30), yq + rng.uniform(-30, 30), rng.random()])
    return rows


def burst_track(
    project: Project,
    deployment: Deployment,
    individuals: Sequence[Individual],
    frames: int = 3,
    pretty: bool = False,
) -> list[Sighting]:
    """One animal in the consecutive frames of one event, linked into a track by the app's
    own service, each frame matched with candidates (the individuals, best first)."""
    start = timezone.make_aware(dt.datetime(2024, 6, 1, 5, 30))
    event = Event.objects.create(project=project, deployment=deployment, start=start)
    sightings = []
    for f in range(frames):
        size: dict[str, Any] = {"width": 640, "height": 480} if pretty else {}
        sighting = add_sighting(
            project,
            p_new=0.2,
            deployment=deployment,
            event=event,
            taken_at=start + dt.timedelta(seconds=f),
            image=_pretty(1, 6 + f) if pretty else None,
            **size,
        )
        fused = [0.85 - 0.1 * j - 0.02 * f for j in range(len(individuals))]
        add_candidates(sighting, individuals, fused)
        sightings.append(sighting)
    tracks.link_event(event)
    for sighting in sightings:
        sighting.refresh_from_db()
    return sightings


def review_world(
    project: Project, n_individuals: int = 6, n_pending: int = 3, pretty: bool = False, **kwargs
) -> dict:
    """Individuals with gallery images and pending sightings with five candidates each.

    P(new) of pending sighting k is 0.1 + 0.3k; candidate j of it has fused 0.9 - 0.1j - 0.05k.
    """
    individuals = [
        add_individual(project, f"IND-{i:04d}", name=f"Ind {i}", animal=i if pretty else None)
        for i in range(1, n_individuals + 1)
    ]
    pending = []
    for k in range(n_pending):
        image = _pretty(1 + k % n_individuals, 5) if pretty else None
        size: dict[str, Any] = {"width": 640, "height": 480} if pretty else {}
        sighting = add_sighting(project, p_new=0.1 + 0.3 * k, image=image, **size, **kwargs)
        add_candidates(sighting, individuals[:5], [0.9 - 0.1 * j - 0.05 * k for j in range(5)])
        pending.append(sighting)
    return {"individuals": individuals, "pending": pending}


@transaction.atomic
def bulk_decide(
    sightings: Sequence[Sighting],
    individuals: Sequence[Individual | None],
    by: User,
    *,
    decided_at: dt.datetime | None = None,
    batch_size: int = 2000,
) -> None:
    """Decide pending sightings in bulk, for benchmarks of 100,000 sightings where one decision
    at a time would take most of the run: confirmed as the individual, or with None discarded
    (no animal). The rows are those `decisions.confirm` / `decisions.discard` write, `shown`
    included (the candidates the screen would have shown, picked by the screen's own rule)."""
    decided_at = decided_at or timezone.now()
    thresholds = dict(
        Project.objects.filter(pk__in={s.project_id for s in sightings}).values_list(
            "pk", "new_individual_threshold"
        )
    )
    shown: dict[int, list[Candidate]] = {}
    ids = [s.pk for s in sightings]
    for start in range(0, len(ids), batch_size):
        rows = (
            Candidate.objects.filter(
                sighting_id__in=ids[start : start + batch_size], rejected=False
            )
            .select_related("individual__merged_into")
            .order_by("sighting_id", "-fused", "rank")
        )
        for c in rows:
            shown.setdefault(c.sighting_id, []).append(c)
    records = []
    for sighting, individual in zip(sightings, individuals, strict=True):
        records.append(
            Decision(
                project_id=sighting.project_id,
                user=by,
                action=Decision.Action.CONFIRM if individual else Decision.Action.DISCARD,
                sighting=sighting,
                individual=individual,
                previous_state=decisions.sighting_state(sighting),
                shown=decisions.snapshot(
                    sighting,
                    pick_shown(shown.get(sighting.pk, [])),
                    thresholds[sighting.project_id],
                ),
                details={"version_after": sighting.version + 1},
            )
        )
        sighting.status = Sighting.Status.CONFIRMED if individual else Sighting.Status.REJECTED
        sighting.individual = individual
        sighting.decided_by = by
        sighting.decided_at = decided_at
        sighting.version += 1
    Sighting.objects.bulk_update(
        sightings,
        ["status", "individual", "decided_by", "decided_at", "version"],
        batch_size=batch_size,
    )
    Decision.objects.bulk_create(records, batch_size=batch_size)


def _bench_pair(rng: random.Random) -> list[float]:
    x, y = rng.uniform(0, 1920), rng.uniform(0, 1080)
    return [x, y, rng.uniform(0, 1920), rng.uniform(0, 1080), rng.random()]


def bulk_media(
    project: Project,
    deployments: Sequence[Deployment],
    n: int,
    start: dt.datetime,
    step: dt.timedelta,
    name: str,
) -> list[Media]:
    """`n` Media rows without files (benchmarks time the database, not storage), taken `step`
    apart from `start`, round-robin over the deployments; `name` is formatted with `i`."""
    return Media.objects.bulk_create(
        (
            Media(
                project=project,
                deployment=deployments[i % len(deployments)],
                file=f"bench/{i}.jpg",
                sha256=f"{project.pk:08x}{i:056x}",
                original_name=name.format(i=i),
                width=1920,
                height=1080,
                taken_at=start + step * i,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )


def bulk_review_project(
    n_sightings: int, n_individuals: int, rng: random.Random, name: str
) -> Project:
    """A review benchmark's project, by bulk inserts: 20 deployments; `n_sightings` media 30
    minutes apart; 3 gallery sightings per individual, confirmed by the curator
    (`bulk_decide`); the rest pending and matched, each with a random P(new) and 5 candidates
    (scores, 40 keypoint correspondences) as the matcher stores them."""
    project = Project.objects.create(name=name)
    deployments = Deployment.objects.bulk_create(
        [Deployment(project=project, code=f"CAM-{i:02d}") for i in range(20)]
    )
    start = timezone.now() - dt.timedelta(days=365)
    media = bulk_media(
        project, deployments, n_sightings, start, dt.timedelta(minutes=30), "{i}.jpg"
    )
    individuals = Individual.objects.bulk_create(
        [Individual(project=project, code=f"IND-{i:04d}") for i in range(1, n_individuals + 1)]
    )
    confirmed = 3 * n_individuals
    sightings = Sighting.objects.bulk_create(
        [
            Sighting(
                project=project,
                media=m,
                pipeline_status="matched",
                p_new=None if i < confirmed else rng.random(),
            )
            for i, m in enumerate(media)
        ],
        batch_size=2000,
    )
    # The gallery: three images per individual, confirmed by the curator as the app would.
    bulk_decide(
        sightings[:confirmed], [individuals[i // 3] for i in range(confirmed)], curator(project)
    )
    gallery = {ind.pk: sightings[k * 3] for k, ind in enumerate(individuals)}
    rows = []
    for s in sightings[confirmed:]:
        for rank, ind in enumerate(rng.sample(individuals, 5), start=1):
            p = rng.random()
            rows.append(
                Candidate(
                    sighting=s,
                    rank=rank,
                    individual=ind,
                    gallery_sighting=gallery[ind.pk],
                    fused=p,
                    scores={
                        "global": {"raw": p, "calibrated": p},
                        "aliked": {"raw": 30 * p, "calibrated": p},
                    },
                    correspondences=[_bench_pair(rng) for _ in range(40)],
                    model_versions={"global": "bench", "aliked": "bench"},
                )
            )
    Candidate.objects.bulk_create(rows, batch_size=2000)
    return project


def trail():
    """The decisions the test's own users recorded, without the curator's gallery ones."""
    return Decision.objects.exclude(user__username__startswith="curator-")


def camera_batch(
    project: Project,
    frames: Sequence,
    *,
    deployment: Deployment | None = None,
    names: Sequence[str] | None = None,
    start: dt.datetime | None = None,
    seconds_apart: int = 2,
):
    """A finished upload of camera-trap frames (PIL images) as the ingest stores them: each a
    Media waiting for detection with its provisional whole-frame sighting, EXIF times
    `seconds_apart`, grouped into events. Detection is not run (worker.tasks.detection)."""
    import io

    from PIL import Image

    from identification.models import Batch
    from identification.services.events import regroup_events
    from identification.services.ingest import store_image
    from tests.images import exif_bytes

    batch = Batch.objects.create(
        project=project, deployment=deployment, kind=Batch.Kind.FILES, status=Batch.Status.DONE
    )
    start = start or dt.datetime(2024, 5, 1, 6, 30, 10)
    media = []
    for k, frame in enumerate(frames):
        out = io.BytesIO()
        image = frame if isinstance(frame, Image.Image) else Image.open(io.BytesIO(frame))
        taken = start + dt.timedelta(seconds=k * seconds_apart)
        image.convert("RGB").save(out, "JPEG", quality=92, exif=exif_bytes(taken))
        name = names[k] if names else f"DCIM/100RECNX/RCNX{k + 1:04d}.JPG"
        m, _ = store_image(
            project, io.BytesIO(out.getvalue()), name, deployment=deployment, batch=batch,
            detect=True,
        )  # fmt: skip
        media.append(m)
    if deployment is not None:
        regroup_events(deployment)
    return batch, [Media.objects.get(pk=m.pk) for m in media]


# Small models for tests that run the pipeline: 64-pixel global descriptors, few keypoints.
SMALL_REID = {
    "global_models": [{"name": "global", "image_size": 64, "tta": "none"}],
    "aliked_image_size": 256,
    "aliked_max_keypoints": 256,
}


def coat_gallery(
    project: Project, individuals: int, images: int, pending: int = 0
) -> tuple[list[Individual], list[Sighting]]:
    """A gallery of synthetic coats (individual k in `images` views, confirmed through the
    decision service) and `pending` unmatched sightings of new views of the first ones,
    with the small models of SMALL_REID. Nothing is extracted yet: the caller runs the
    gallery update (its tasks wait for a commit that a test's transaction never makes)."""
    project.reid_config = SMALL_REID
    project.save(update_fields=["reid_config"])
    catalogued = []
    for k in range(individuals):
        individual = Individual.objects.create(project=project, code=f"COAT-{k:02d}")
        for view in range(images):
            add_sighting(
                project, individual=individual, image=camera_trap_jpeg(k, view, None, (320, 240)),
                width=320, height=240,
            )  # fmt: skip
        catalogued.append(individual)
    queued = [
        add_sighting(
            project,
            image=camera_trap_jpeg(k % individuals, images, None, (320, 240)),
            width=320,
            height=240,
        )  # fmt: skip
        for k in range(pending)
    ]
    return catalogued, queued
