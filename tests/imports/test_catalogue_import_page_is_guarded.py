"""The catalogue import page follows the project's roles: experts and admins may import (it
confirms identities); other projects' members get 404, as for every project URL; guests
sign in first."""

import pytest
from django.urls import reverse

from identification.models import Batch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["expert", "admin_user"])
def test_members_from_expert_up_see_the_form(request, client_of, project, who):
    response = client_of(request.getfixturevalue(who)).get(
        reverse("catalogue_import", args=[project.slug])
    )
    assert response.status_code == 200
    assert b'name="archive"' in response.content


def test_a_member_of_another_project_gets_404_for_the_page_and_a_result(
    client_of, project, other_project, outsider, ranger
):
    batch = Batch.objects.create(project=project, kind=Batch.Kind.IMPORT, created_by=ranger)
    client = client_of(outsider)
    assert client.get(reverse("catalogue_import", args=[project.slug])).status_code == 404
    assert client.post(reverse("catalogue_import", args=[project.slug])).status_code == 404
    result = reverse("catalogue_import_result", args=[project.slug, batch.pk])
    assert client.get(result).status_code == 404


def test_a_guest_is_sent_to_sign_in(client, project):
    response = client.get(reverse("catalogue_import", args=[project.slug]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_upload_batch_is_not_shown_as_an_import(client_of, project, ranger):
    batch = Batch.objects.create(project=project, kind=Batch.Kind.ZIP, created_by=ranger)
    response = client_of(ranger).get(
        reverse("catalogue_import_result", args=[project.slug, batch.pk])
    )
    assert response.status_code == 404


def test_the_individuals_list_and_the_project_page_link_to_the_import(client_of, project, expert):
    client = client_of(expert)
    url = reverse("catalogue_import", args=[project.slug]).encode()
    for page in ("individual_list", "project_detail"):
        assert url in client.get(reverse(page, args=[project.slug])).content
