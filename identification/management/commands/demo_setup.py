"""Demo data for `make demo`: users, a project, a confirmed gallery and a batch to review."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from identification.models import Batch, Decision, Deployment, Individual, Membership, Project, Role
from identification.services import reid_hooks
from identification.services.batches import create_batches
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue
from identification.services.imports.catalogue_source import open_catalogue, read_entries
from identification.services.ingest import ImageRejected, store_image
from identification.services.synthetic import camera_trap_jpeg

if TYPE_CHECKING:
    from celery.contrib.django.task import DjangoTask

DEMO_SLUG = "demo"
USERS = {"demo": Role.ADMIN, "expert": Role.EXPERT, "ranger": Role.RANGER}
Labelled = tuple[str, str, bytes]  # a gallery image: (identity, file name, JPEG bytes)
Unlabelled = tuple[None, str, bytes]  # an image of the batch to review


class Command(BaseCommand):
    help = "Create demo users, a project with a confirmed gallery and a batch waiting for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            help="A wildlife-datasets folder (metadata.csv: image_id,identity,path,split); "
            "train images become the gallery, test images a batch.",
        )
        parser.add_argument("--limit", type=int, default=0, help="At most this many test images.")

    def handle(self, *args: Any, data: str | None = None, limit: int = 0, **options: Any) -> None:
        users = self._users()
        if Project.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo project exists already (make clean-demo starts over).")
            return
        if data:
            folder = Path(data)
            gallery_split, queries = _wildlife_dataset(folder, limit)
            gallery: list[Labelled] = []
            species = ""
            name = f"Demo: {folder.resolve().name}"
        else:
            gallery, queries, species = _synthetic()
            name = "Demo: synthetic animals"
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                slug=DEMO_SLUG,
                species=species,
                description="Created by `make demo`. The gallery is confirmed; the batch waits "
                "for an expert's review.",
            )
            for username, role in USERS.items():
                Membership.objects.create(project=project, user=users[username], role=role)
            # No set-up date: the demo's images are from the past (or undated), so any date
            # made up here could fall after them; exports span the deployment's images.
            deployment = Deployment.objects.create(
                project=project, code="CAM-01", name="Demo camera", latitude=-27.95,
                longitude=32.38,
            )  # fmt: skip
            if data:
                # The train split is a catalogue like any other: one import code path.
                gallery_ids = _import_gallery(
                    project, deployment, users["demo"], folder, gallery_split
                )
            else:
                gallery_ids = self._gallery(project, deployment, users["demo"], gallery)
                reid_hooks.identities_changed(project.pk, gallery_ids)
            queued = ""
            if queries:  # a dataset without a test split has nothing to review
                batch = self._batch(project, deployment, users["ranger"], queries)
                from worker.tasks.ingest import start_batch

                # Celery's Django fix-up makes every task a DjangoTask; the hints say Task.
                cast("DjangoTask[[int], None]", start_batch).delay_on_commit(batch.pk)
                queued = f", batch #{batch.pk} of {len(queries)} images queued"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo project {name!r}: {len(gallery_ids)} confirmed gallery images{queued}."
            )
        )

    def _users(self) -> dict[str, User]:
        User = get_user_model()
        users = {}
        for username in USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(username)
                user.is_staff = user.is_superuser = username == "demo"
                user.save()
            users[username] = user
        return users

    def _gallery(
        self, project: Project, deployment: Deployment, user: User, items: list[Labelled]
    ) -> list[int]:
        ids = []
        individuals: dict[str, Individual] = {}
        for identity, name, data in items:
            try:
                media, _ = store_image(project, io.BytesIO(data), name, deployment=deployment)
            except ImageRejected as exc:
                self.stderr.write(f"skipped {name}: {exc.message}")
                continue
            if identity not in individuals:
                individuals[identity], _ = Individual.objects.get_or_create(
                    project=project, code=identity, defaults={"created_by": user}
                )
            sighting = media.sightings.get()
            sighting.status = sighting.Status.CONFIRMED
            sighting.individual = individuals[identity]
            sighting.decided_by, sighting.decided_at = user, timezone.now()
            sighting.save()
            Decision.objects.create(
                project=project, sighting=sighting, user=user, action=Decision.Action.CONFIRM,
                individual=individuals[identity], details={"source": "demo gallery"},
            )  # fmt: skip
            ids.append(sighting.pk)
        return ids

    def _batch(
        self, project: Project, deployment: Deployment, user: User, items: list[Unlabelled]
    ) -> Batch:
        files = [File(io.BytesIO(data), name=name) for _, name, data in items]
        for f, (_, _, data) in zip(files, items, strict=True):
            f.size = len(data)
        return create_batches(project, deployment, user, files, note="Demo batch")[0]


def _synthetic() -> tuple[list[Labelled], list[Unlabelled], str]:
    """Ten animals with three confirmed views each; a batch with new views of six of them
    and two animals never seen, in bursts one minute apart."""
    start = dt.datetime(2025, 9, 14, 21, 0, 0)
    gallery = []
    for animal in range(10):
        for view in range(3):
            taken = start - dt.timedelta(days=30 - animal, minutes=view * 5)
            gallery.append((f"IND-{animal + 1:04d}", f"gallery_{animal}_{view}.jpg",
                            camera_trap_jpeg(animal, view, taken)))  # fmt: skip
    queries = []
    for i, animal in enumerate([0, 1, 2, 3, 4, 5, 20, 21]):
        for frame in range(2):  # a two-frame burst per passage
            taken = start + dt.timedelta(minutes=10 * i, seconds=frame * 2)
            queries.append((None, f"RCNX{i:02d}{frame}.JPG",
                            camera_trap_jpeg(animal, 5 + frame, taken)))  # fmt: skip
    return gallery, queries, "Synthetic patterned animal"


def _import_gallery(
    project: Project, deployment: Deployment, user: User, folder: Path, split: str | None
) -> list[int]:
    """The folder's train split (every row without a split column), as the gallery."""
    try:
        result = import_catalogue(
            project, folder, user=user, split=split, deployment=deployment,
            original_name=f"{folder.name} ({split} split)" if split else folder.name,
        )  # fmt: skip
    except CatalogueInvalid as exc:
        raise CommandError("\n".join([f"{folder} cannot be imported:", *exc.problems])) from exc
    return result.confirmed_ids


def _wildlife_dataset(folder: Path, limit: int) -> tuple[str | None, list[Unlabelled]]:
    """The split the gallery is imported from, and the other splits' images (at most
    `limit`) for the batch waiting for review."""
    if not (folder / "metadata.csv").is_file():
        raise CommandError(
            f"{folder / 'metadata.csv'} not found: --data needs a wildlife-datasets folder"
        )
    with open_catalogue(folder) as catalogue:
        entries, _ = read_entries(catalogue)  # the gallery import reports the problems
    if not any(e.split for e in entries):
        return None, []
    queries = [(None, e.path, (folder / e.path).read_bytes()) for e in entries
               if e.split != "train"]  # fmt: skip
    return "train", queries[:limit] if limit else queries
