"""A folder per individual (`<code>/<image>`), as a folder or a zip, becomes individuals with
confirmed sightings, each confirmation an append-only Decision by the importing user."""

import io

import pytest

from identification.models import Batch, BatchItem, Decision, Individual, Sighting
from identification.services.imports.catalogue import import_catalogue

from .catalogues import folder_catalogue, zip_bytes

pytestmark = pytest.mark.django_db

ANIMALS = {"IND-0001": [0, 1, 2], "Zebedee": [0, 1]}


def _assert_imported(project, user, result):
    assert sorted(result.individuals_created) == sorted(ANIMALS)
    individuals = {i.code: i for i in Individual.objects.filter(project=project)}
    assert set(individuals) == set(ANIMALS)
    for code, views in ANIMALS.items():
        sightings = Sighting.objects.filter(individual=individuals[code])
        assert sightings.count() == len(views)
        assert {s.status for s in sightings} == {Sighting.Status.CONFIRMED}
        assert {s.decided_by for s in sightings} == {user}
        assert sorted(s.media.original_name for s in sightings) == sorted(
            f"{code}/view{v}.jpg" for v in views
        )
        decisions = Decision.objects.filter(sighting__in=sightings).order_by("pk")
        # The first image of a new individual creates it; the others confirm it.
        assert [d.action for d in decisions] == ["new"] + ["confirm"] * (len(views) - 1)
        assert {(d.user, d.note, d.individual_id) for d in decisions} == {
            (user, "catalogue import", individuals[code].pk)
        }
        assert decisions[0].previous_state["status"] == Sighting.Status.PENDING
    batch = result.batch
    assert (batch.kind, batch.status) == (Batch.Kind.IMPORT, Batch.Status.DONE)
    assert batch.media.count() == 5
    assert list(batch.items.values_list("status", flat=True)) == [BatchItem.Status.ACCEPTED] * 5
    assert "2 individuals (2 new, 0 existing), 5 sightings confirmed" in batch.note


def test_a_folder_per_individual_is_imported(project, admin_user, tmp_path):
    root = folder_catalogue(tmp_path / "catalogue", ANIMALS)
    (root / "README.txt").write_text("Camera-trap catalogue of the reserve.")
    result = import_catalogue(project, root, user=admin_user)
    _assert_imported(project, admin_user, result)


def test_a_zip_of_one_wrapping_folder_is_imported_the_same(project, expert, tmp_path):
    archive = zip_bytes(folder_catalogue(tmp_path / "catalogue", ANIMALS), wrap="my catalogue")
    result = import_catalogue(project, io.BytesIO(archive), user=expert)
    _assert_imported(project, expert, result)


def test_an_image_outside_any_individual_folder_is_a_problem(project, expert, tmp_path):
    from identification.services.imports.catalogue import CatalogueInvalid

    root = folder_catalogue(tmp_path / "catalogue", ANIMALS)
    (root / "stray.jpg").write_bytes((root / "Zebedee" / "view0.jpg").read_bytes())
    with pytest.raises(CatalogueInvalid) as caught:
        import_catalogue(project, root, user=expert)
    assert caught.value.problems == [
        "stray.jpg: not inside an individual's folder (<identity>/<image>)"
    ]
    assert not Individual.objects.filter(project=project).exists()
