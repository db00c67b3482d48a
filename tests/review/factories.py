"""Review test data built in the database: media with small JPEGs, sightings, candidates."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from identification.models import Candidate, Individual, Media, Project, Sighting
from identification.services.synthetic import camera_trap_jpeg
from tests.images import jpeg_bytes

_seq = itertools.count(1)
_JPEG: dict[int, bytes] = {}


def add_media(
    project: Project,
    *,
    deployment=None,
    batch=None,
    event=None,
    taken_at=None,
    width: int = 320,
    height: int = 240,
    image: bytes | None = None,
) -> Media:
    n = next(_seq)
    data = image or _JPEG.setdefault(n % 7, jpeg_bytes(width, height, seed=n % 7, exif=False))
    media = Media(
        project=project,
        deployment=deployment,
        batch=batch,
        event=event,
        sha256=f"{n:064x}",
        original_name=f"img{n}.jpg",
        file_size=len(data),
        mime_type="image/jpeg",
        width=width,
        height=height,
        taken_at=taken_at
        or timezone.make_aware(dt.datetime(2024, 5, 1, 6, 0) + dt.timedelta(hours=n)),
    )
    media.file.save(f"img{n}.jpg", ContentFile(data), save=False)
    media.save()
    return media


def add_sighting(
    project: Project, *, individual: Individual | None = None, p_new=None, **media_kwargs
) -> Sighting:
    sighting = Sighting(
        project=project,
        media=add_media(project, **media_kwargs),
        p_new=p_new,
        pipeline_status=Sighting.PipelineStatus.MATCHED if p_new is not None else "queued",
    )
    if individual is not None:
        sighting.status = Sighting.Status.CONFIRMED
        sighting.individual = individual
        sighting.decided_at = timezone.now()
    sighting.save()
    return sighting


def add_individual(
    project: Project, code: str, name: str = "", images: int = 2, animal: int | None = None
) -> Individual:
    """An individual with confirmed images; with `animal`, synthetic coats that look the part."""
    individual = Individual.objects.create(project=project, code=code, name=name)
    for view in range(images):
        image = None if animal is None else _pretty(animal, view)
        add_sighting(project, individual=individual, image=image, width=640, height=480)
    return individual


def _pretty(animal: int, view: int) -> bytes:
    return camera_trap_jpeg(animal, view, None, size=(640, 480))


def add_candidates(
    sighting: Sighting, individuals: list[Individual], fused: list[float]
) -> list[Candidate]:
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
                model_versions={"global": "test-1", "aliked": "test-1"},
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
        size = {"width": 640, "height": 480} if pretty else {}
        sighting = add_sighting(project, p_new=0.1 + 0.3 * k, image=image, **size, **kwargs)
        add_candidates(sighting, individuals[:5], [0.9 - 0.1 * j - 0.05 * k for j in range(5)])
        pending.append(sighting)
    return {"individuals": individuals, "pending": pending}
