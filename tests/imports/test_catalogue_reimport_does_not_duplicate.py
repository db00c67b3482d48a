"""Importing the same catalogue again stores no image twice and creates no individual twice;
an image already uploaded in a batch is linked and confirmed, not stored again."""

import io

import pytest
from django.conf import settings

from identification.models import BatchItem, Decision, Individual, Media, Sighting
from identification.services import decisions
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue
from identification.services.ingest import store_image

from .catalogues import image, nyala_catalogue, project_state, zip_bytes

pytestmark = pytest.mark.django_db


def test_importing_the_same_catalogue_twice_changes_nothing_the_second_time(
    project, admin_user, tmp_path
):
    root = nyala_catalogue(tmp_path / "catalogue")
    import_catalogue(project, root, user=admin_user)
    before = project_state(project, settings.MEDIA_ROOT)
    again = import_catalogue(project, io.BytesIO(zip_bytes(root)), user=admin_user)
    after = project_state(project, settings.MEDIA_ROOT)
    assert (again.confirmed, again.images_stored, again.unchanged) == (0, 0, 6)
    assert again.individuals_created == []
    assert {k: v for k, v in after.items() if k != "batches"} == {
        k: v for k, v in before.items() if k != "batches"
    }
    statuses = set(again.batch.items.values_list("status", flat=True))
    assert statuses == {BatchItem.Status.DUPLICATE}


def test_an_image_uploaded_before_is_linked_and_confirmed(project, admin_user, tmp_path):
    root = nyala_catalogue(tmp_path / "catalogue")
    media, _ = store_image(project, io.BytesIO(image(1, 0)), "DCIM/RCNX0001.JPG")
    pending = media.sightings.get()
    result = import_catalogue(project, root, user=admin_user, split="train")
    assert (result.images_linked, result.images_stored) == (1, 3)
    assert Media.objects.filter(project=project).count() == 4
    pending.refresh_from_db()
    assert (pending.status, pending.individual.code) == (Sighting.Status.CONFIRMED, "N1")
    assert pending.media.original_name == "DCIM/RCNX0001.JPG", "the first upload keeps its name"
    decision = Decision.objects.get(sighting=pending)
    assert (decision.action, decision.note) == ("new", "catalogue import")
    item = result.batch.items.get(media=media)
    assert (item.status, item.reason) == (BatchItem.Status.DUPLICATE, "in_project")


def test_the_same_image_twice_in_one_catalogue_is_one_sighting(project, admin_user, tmp_path):
    root = nyala_catalogue(tmp_path / "catalogue")
    (root / "images/N1/1.jpg").write_bytes((root / "images/N1/0.jpg").read_bytes())
    result = import_catalogue(project, root, user=admin_user, split="train")
    assert (result.duplicates, result.confirmed) == (1, 3)
    assert Individual.objects.get(code="N1").sightings.count() == 1
    item = result.batch.items.get(original_name="images/N1/1.jpg")
    assert item.message == "Same image as metadata.csv line 2."


def test_an_image_an_expert_confirmed_as_someone_else_stops_the_import(
    project, admin_user, expert, tmp_path
):
    root = nyala_catalogue(tmp_path / "catalogue")
    media, _ = store_image(project, io.BytesIO(image(2, 0)), "DCIM/RCNX0002.JPG")
    other = Individual.objects.create(project=project, code="IND-0007")
    decisions.confirm(media.sightings.get(), other, by=expert)
    before = project_state(project, settings.MEDIA_ROOT)
    with pytest.raises(CatalogueInvalid) as caught:
        import_catalogue(project, root, user=admin_user)
    (problem,) = caught.value.problems
    assert problem.startswith("metadata.csv line 4: file images/N2/0.jpg: already in the project")
    assert "confirmed as IND-0007, not 'N2'" in problem
    assert project_state(project, settings.MEDIA_ROOT) == before
