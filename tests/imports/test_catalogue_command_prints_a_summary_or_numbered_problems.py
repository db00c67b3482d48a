"""`manage.py import_catalogue <slug> PATH`: a summary on success; on problems, numbered
problems naming their lines, exit status 1, and nothing imported."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from identification.models import Decision, Sighting

from .catalogues import nyala_catalogue, project_state

pytestmark = pytest.mark.django_db


def test_the_command_imports_the_train_split_and_prints_a_summary(
    project, expert, tmp_path, capsys
):
    root = nyala_catalogue(tmp_path / "nyala")
    args = ["--split", "train", "--user", "expert"]
    call_command("import_catalogue", project.slug, str(root), *args)
    out = capsys.readouterr().out
    assert "3 individuals (3 new, 0 existing), 4 sightings confirmed (4 new images" in out
    confirmed = Sighting.objects.filter(project=project, status=Sighting.Status.CONFIRMED)
    assert confirmed.count() == 4
    assert set(Decision.objects.filter(project=project).values_list("user", flat=True)) == {
        expert.pk
    }


def test_problems_are_numbered_on_stderr_and_the_exit_status_is_1(
    project, ranger, tmp_path, capsys
):
    root = nyala_catalogue(tmp_path / "nyala")
    (root / "images/N2/0.jpg").unlink()
    (root / "images/N3/0.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    before = project_state(project, settings.MEDIA_ROOT)
    with pytest.raises(CommandError) as refused:
        call_command("import_catalogue", project.slug, str(root))
    assert refused.value.returncode == 1  # what manage.py exits with
    err = capsys.readouterr().err
    assert "1. metadata.csv line 4: file images/N2/0.jpg not found" in err
    assert "2. metadata.csv line 5: file images/N3/0.jpg: " in err
    assert str(refused.value) == f"2 problem(s) in {root}; nothing was imported."
    assert project_state(project, settings.MEDIA_ROOT) == before


def test_an_unknown_project_or_user_is_refused(project, tmp_path):
    root = nyala_catalogue(tmp_path / "nyala")
    with pytest.raises(CommandError, match="No project with slug 'nope'"):
        call_command("import_catalogue", "nope", str(root))
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("import_catalogue", project.slug, str(root), "--user", "ghost")
