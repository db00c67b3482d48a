"""Projects whose sightings are synthetic patterned individuals, stored like real uploads."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from identification.models import Individual, Media, Sighting
from identification.services.synthetic import camera_trap_jpeg


@pytest.fixture
def make_sighting(project):
    """make_sighting(animal, view, individual=None) -> a Sighting with its Media and file.

    With an Individual, the sighting is confirmed as it (a gallery image)."""

    def make(animal: int, view: int, individual: Individual | None = None, batch=None):
        data = camera_trap_jpeg(animal, view, None, size=(400, 300))
        digest = hashlib.sha256(data).hexdigest()
        media = Media(
            project=project,
            batch=batch,
            sha256=digest,
            original_name=f"animal{animal}_view{view}.jpg",
            file_size=len(data),
            width=400,
            height=300,
        )
        media.file.save(f"animal{animal}_view{view}.jpg", ContentFile(data), save=False)
        media.save()
        sighting = Sighting(project=project, media=media)
        if individual is not None:
            sighting.status = Sighting.Status.CONFIRMED
            sighting.individual = individual
            sighting.decided_at = timezone.now()
        sighting.save()
        return sighting

    return make


@pytest.fixture
def individuals(project):
    """Four named individuals, A0..A3, standing for synthetic animals 0..3."""
    return [Individual.objects.create(project=project, code=f"A{i}") for i in range(4)]
