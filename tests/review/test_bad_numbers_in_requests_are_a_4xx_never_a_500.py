"""Numbers a client sends (form fields, query strings, URL ids) that are not numbers, are
digits int() cannot read, or lie beyond any id, are refused (400) or ignored; no view
answers 500. The review undo's `sighting` was read with a bare int()."""

import pytest
from django.urls import reverse

from identification.models import Sighting

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("value", ["abc", "²", "-1", HUGE, ""])
def test_undo_with_a_bad_sighting_id_is_ignored(client_of, expert, project, value):
    url = reverse("review_undo", args=[project.slug])
    response = client_of(expert).post(url, {"sighting": value}, headers=HTMX)
    assert response.status_code == 302  # nothing to undo: the message and the queue


@pytest.mark.parametrize(
    ("name", "query", "status"),
    [
        ("review_queue", f"?batch={HUGE}&deployment={HUGE}", 200),
        ("review_next", f"?batch={HUGE}", 200),
        ("export_sightings", f"?batch={HUGE}", 400),
        ("export_sightings", "?deployment=²", 400),
        ("export_sightings", f"?deployment={HUGE}", 400),
        ("export_sightings", "?page=x", 200),
        ("individual_list", f"?page={HUGE}", 200),
        ("batch_list", "?page=abc", 200),
    ],
)
def test_bad_numbers_in_query_strings(client_of, expert, project, name, query, status):
    response = client_of(expert).get(reverse(name, args=[project.slug]) + query)
    assert response.status_code == status


@pytest.mark.parametrize(
    "name", ["media_detail", "batch_detail", "review_sighting", "sighting_detail"]
)
def test_an_id_beyond_any_row_is_404(client_of, expert, project, name):
    url = reverse(name, args=[project.slug, 1]).replace("/1/", f"/{HUGE}/")
    assert client_of(expert).get(url).status_code == 404


def test_a_decision_with_huge_numbers_is_refused(client_of, expert, project, world, decide):
    sighting = Sighting.objects.filter(project=project, status=Sighting.Status.PENDING).first()
    response = decide(client_of(expert), sighting, "confirm", version=HUGE, candidate=None)
    assert response.status_code in (200, 302)
    response = client_of(expert).post(
        reverse("review_decide", args=[project.slug, sighting.pk]),
        {"action": "confirm", "candidate": HUGE, "version": sighting.version},
    )
    assert response.status_code in (200, 302)
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING
