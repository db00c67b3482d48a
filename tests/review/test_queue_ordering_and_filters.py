import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import Batch, Deployment, Sighting
from identification.services import decisions
from identification.services.review_queue import QueueFilters, queue
from tests.factories import add_sighting

pytestmark = pytest.mark.django_db


def _pks(project, **filters) -> list[int]:
    return list(queue(project, QueueFilters(**filters)).values_list("pk", flat=True))


def test_default_order_is_most_confident_first_and_can_be_switched(project, world):
    low, mid, high = world["pending"]  # P(new) 0.1, 0.4, 0.7 against threshold 0.5
    unmatched = add_sighting(project, p_new=None)
    clear_new = add_sighting(project, p_new=0.99)
    assert _pks(project) == [clear_new.pk, low.pk, high.pk, mid.pk, unmatched.pk]
    assert _pks(project, order="uncertain") == [mid.pk, high.pk, low.pk, clear_new.pk, unmatched.pk]


def test_filters_by_batch_deployment_date_and_status(project, deployment, expert, world):
    batch = Batch.objects.create(project=project)
    other = Deployment.objects.create(project=project, code="CAM-02")
    day = timezone.make_aware(dt.datetime(2023, 1, 10, 12))
    in_batch = add_sighting(project, p_new=0.2, batch=batch, deployment=other, taken_at=day)
    assert _pks(project, batch=batch.pk) == [in_batch.pk]
    assert _pks(project, deployment=other.pk) == [in_batch.pk]
    assert _pks(project, date_from=dt.date(2023, 1, 10), date_to=dt.date(2023, 1, 10)) == [
        in_batch.pk
    ]
    confirmed = world["pending"][0]
    decisions.confirm(confirmed, world["individuals"][0], by=expert)
    assert confirmed.pk not in _pks(project)
    confirmed_pks = _pks(project, status="confirmed")
    assert confirmed.pk in confirmed_pks
    assert set(confirmed_pks) == set(
        Sighting.objects.filter(status="confirmed").values_list("pk", flat=True)
    )
    assert confirmed.pk in _pks(project, status="all")


def test_queue_page_shows_counts_and_keeps_filters_in_links(client_of, expert, project, world):
    decisions.confirm(world["pending"][0], world["individuals"][0], by=expert)
    url = reverse("review_queue", args=[project.slug]) + "?order=uncertain&status=pending"
    page = client_of(expert).get(url).text
    assert "<b>2</b> pending" in page
    assert "<b>13</b> decided" in page  # 12 gallery sightings + the one just confirmed
    assert reverse("review_next", args=[project.slug]) + "?order=uncertain" in page
