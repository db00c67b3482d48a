"""A catalogue with any bad row imports nothing, and each problem names its line."""

import pytest
from django.conf import settings

from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue

from .catalogues import image, metadata_catalogue, nyala_catalogue, project_state

pytestmark = pytest.mark.django_db


def _spoil(root, line: int, **changes):
    """Rewrite row `line` of metadata.csv (line 1 is the header)."""
    path = root / "metadata.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    values = dict(zip(header, lines[line - 1].split(","), strict=True))
    values.update(changes)
    lines[line - 1] = ",".join(values[c] for c in header)
    path.write_text("\n".join(lines) + "\n")


def _truncate(root, name):
    data = (root / name).read_bytes()
    (root / name).write_bytes(data[: len(data) // 2])


CASES = {
    "missing file": (
        lambda root: _spoil(root, 4, path="images/N2/9.jpg"),
        "metadata.csv line 4: file images/N2/9.jpg not found",
    ),
    "empty identity": (
        lambda root: _spoil(root, 3, identity=""),
        "metadata.csv line 3: empty identity",
    ),
    "broken image": (
        lambda root: _truncate(root, "images/N3/0.jpg"),
        "metadata.csv line 5: file images/N3/0.jpg: The file is truncated",
    ),
    "not an image": (
        lambda root: (root / "images/N3/0.jpg").write_text("identity,path\n"),
        "metadata.csv line 5: file images/N3/0.jpg: Not an image",
    ),
    "path out of the folder": (
        lambda root: _spoil(root, 2, path="../secret.jpg"),
        "metadata.csv line 2: path ../secret.jpg leads outside the catalogue folder",
    ),
    "path listed twice": (
        lambda root: _spoil(root, 3, path="images/N1/0.jpg"),
        "metadata.csv line 3: file images/N1/0.jpg is listed on line 2 already",
    ),
    "same image, two identities": (
        lambda root: (root / "images/N2/0.jpg").write_bytes(image(1, 0)),
        "metadata.csv line 4: file images/N2/0.jpg: the same image as metadata.csv line 2 "
        "but identity 'N2', not 'N1'",
    ),
    "no path column": (
        lambda root: (root / "metadata.csv").write_text("image_id,identity\n1,N1\n"),
        "metadata.csv line 1: no column path (expected image_id,identity,path,split)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_bad_line_is_named_and_the_project_is_unchanged(project, expert, tmp_path, case):
    spoil, expected = CASES[case]
    root = nyala_catalogue(tmp_path / "catalogue")
    spoil(root)
    before = project_state(project, settings.MEDIA_ROOT)
    with pytest.raises(CatalogueInvalid) as caught:
        import_catalogue(project, root, user=expert)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(expected)
    assert project_state(project, settings.MEDIA_ROOT) == before


def test_every_problem_is_listed_not_only_the_first(project, expert, tmp_path):
    root = nyala_catalogue(tmp_path / "catalogue")
    _spoil(root, 3, identity="")
    _spoil(root, 6, path="images/N1/7.jpg")
    _truncate(root, "images/N3/0.jpg")
    with pytest.raises(CatalogueInvalid) as caught:
        import_catalogue(project, root, user=expert)
    lines = [p.split(":")[0] for p in caught.value.problems]
    assert sorted(lines) == ["metadata.csv line 3", "metadata.csv line 5", "metadata.csv line 6"]


def test_a_bad_row_of_another_split_does_not_stop_the_train_import(project, expert, tmp_path):
    root = nyala_catalogue(tmp_path / "catalogue")
    _spoil(root, 7, path="images/N2/gone.jpg")  # a test row
    result = import_catalogue(project, root, user=expert, split="train")
    assert result.confirmed == 4


def test_a_date_that_is_not_a_date_is_a_problem(project, expert, tmp_path):
    rows = [{"image_id": 1, "identity": "N1", "path": "a.jpg", "date": "last spring"}]
    metadata_catalogue(tmp_path, rows, {"a.jpg": image(1, 0)})
    with pytest.raises(CatalogueInvalid) as caught:
        import_catalogue(project, tmp_path, user=expert)
    assert caught.value.problems == [
        "metadata.csv line 2: date 'last spring' is not a date (YYYY-MM-DD [HH:MM:SS])"
    ]
