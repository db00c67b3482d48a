"""Identity changes queue the pipeline's gallery update; every decision counts toward refits."""

import pytest
from django.urls import reverse

from identification.services import reid_hooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(
        reid_hooks, "identities_changed", lambda pid, ids: calls.append(("ids", pid, sorted(ids)))
    )
    monkeypatch.setattr(reid_hooks, "decision_recorded", lambda pid: calls.append(("dec", pid)))
    return calls


def test_confirm_new_undo_merge_and_split_call_the_hooks(
    client_of, expert, project, world, decide, hook_calls
):
    client = client_of(expert)
    s1, s2 = world["pending"][:2]
    decide(client, s1, "confirm", s1.candidates.get(rank=1))
    assert hook_calls == [("ids", project.pk, [s1.pk]), ("dec", project.pk)]
    hook_calls.clear()
    decide(client, s2, "new")
    client.post(reverse("review_undo", args=[project.slug]))
    assert hook_calls == [("ids", project.pk, [s2.pk]), ("dec", project.pk)] * 2
    hook_calls.clear()
    a, b = world["individuals"][1:3]
    moved = sorted(a.sightings.values_list("pk", flat=True))
    client.post(reverse("individual_merge", args=[project.slug, a.pk]), {"target": b.code})
    assert hook_calls == [("ids", project.pk, moved), ("dec", project.pk)]
    hook_calls.clear()
    client.post(reverse("individual_split", args=[project.slug, b.pk]), {"sightings": moved[:1]})
    assert hook_calls == [("ids", project.pk, moved[:1]), ("dec", project.pk)]


def test_reject_and_skip_do_not_change_identities(client_of, expert, world, decide, hook_calls):
    s1 = world["pending"][0]
    decide(client_of(expert), s1, "reject", s1.candidates.get(rank=1))
    decide(client_of(expert), s1, "skip")
    assert [c[0] for c in hook_calls] == ["dec"]
