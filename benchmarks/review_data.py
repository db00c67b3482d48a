"""The review benchmarks' project, built with bulk_create (benchmarks/review.py, load.py).

`review_project(n_sightings, n_individuals, rng, name)`: 20 deployments; `n_sightings` media,
30 minutes apart; 3 confirmed sightings per individual; the rest pending and matched, each
with a random P(new) and 5 candidates (scores, 40 keypoint correspondences), as the matcher
stores them. Import it after django.setup().
"""

from __future__ import annotations

import random

from django.utils import timezone

from identification.models import Candidate, Deployment, Individual, Media, Project, Sighting


def _pair(rng: random.Random) -> list[float]:
    x, y = rng.uniform(0, 1920), rng.uniform(0, 1080)
    return [x, y, rng.uniform(0, 1920), rng.uniform(0, 1080), rng.random()]


def review_project(n_sightings: int, n_individuals: int, rng: random.Random, name: str) -> Project:
    project = Project.objects.create(name=name)
    deployments = Deployment.objects.bulk_create(
        [Deployment(project=project, code=f"CAM-{i:02d}") for i in range(20)]
    )
    start = timezone.now() - timezone.timedelta(days=365)
    media = Media.objects.bulk_create(
        [
            Media(
                project=project,
                deployment=deployments[i % 20],
                file=f"bench/{i}.jpg",
                sha256=f"{project.pk:08x}{i:056x}",
                original_name=f"{i}.jpg",
                width=1920,
                height=1080,
                taken_at=start + timezone.timedelta(minutes=30 * i),
            )
            for i in range(n_sightings)
        ],
        batch_size=2000,
    )
    individuals = Individual.objects.bulk_create(
        [Individual(project=project, code=f"IND-{i:04d}") for i in range(1, n_individuals + 1)]
    )
    now = timezone.now()
    confirmed = 3 * n_individuals
    sightings = Sighting.objects.bulk_create(
        [
            Sighting(
                project=project,
                media=m,
                status="confirmed" if i < confirmed else "pending",
                individual=individuals[i // 3] if i < confirmed else None,
                decided_at=now if i < confirmed else None,
                pipeline_status="matched",
                p_new=None if i < confirmed else rng.random(),
            )
            for i, m in enumerate(media)
        ],
        batch_size=2000,
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
                    correspondences=[_pair(rng) for _ in range(40)],
                    model_versions={"global": "bench", "aliked": "bench"},
                )
            )
    Candidate.objects.bulk_create(rows, batch_size=2000)
    return project
