"""Text cells of the sightings CSV that start like a spreadsheet formula (=, +, -, @, tab,
CR) get a leading ' (OWASP), so opening the file in Excel or LibreOffice runs nothing; the
numbers of numeric columns, negative ones included, are written as they are."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from identification.models import Deployment, Individual, Media

pytestmark = pytest.mark.django_db


def test_formula_like_text_is_prefixed_and_negative_numbers_are_not(
    client_of, ranger, project, deployment, expert, individuals, camtrap_survey
):
    confirmed, mate = camtrap_survey["confirmed"], camtrap_survey["burst_mate"]
    Deployment.objects.filter(pk=deployment.pk).update(code='=HYPERLINK("http://x.example")')
    Individual.objects.filter(pk=individuals[0].pk).update(code="-A0", name="+SUM(A1:A9)")
    Media.objects.filter(pk=confirmed.media_id).update(original_name="@evil.jpg")
    Media.objects.filter(pk=mate.media_id).update(original_name="\t=1+2.jpg")
    get_user_model().objects.filter(pk=expert.pk).update(username="-expert")

    response = client_of(ranger).get(reverse("export_sightings", args=[project.slug]))
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = {int(r["sighting_id"]): r for r in csv.DictReader(io.StringIO(text))}

    row = rows[confirmed.pk]
    assert row["deployment"] == '\'=HYPERLINK("http://x.example")'
    assert row["individual_code"] == "'-A0"
    assert row["individual_name"] == "'+SUM(A1:A9)"
    assert row["media_file"] == "'@evil.jpg"
    assert row["decided_by"] == "'-expert"
    assert rows[mate.pk]["media_file"] == "'\t=1+2.jpg"
    # Numeric columns: the deployment's latitude is negative and stays a number.
    assert row["latitude"] == "-27.9" and row["longitude"] == "32.3"
    assert row["bbox_x"] == "0.1"
    # Ordinary text is untouched.
    assert rows[camtrap_survey["proposed"].pk]["deployment"] == "CAM-02"
