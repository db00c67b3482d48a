"""Catalogue import: an existing labelled gallery becomes confirmed sightings of a project.

All or nothing. Every image is checked first (its metadata row, that the file exists and
decodes, that the catalogue and the project do not contradict it); with any problem nothing is
written and `CatalogueInvalid` lists them all, by line. Then, in one transaction, each image
is stored with `ingest.store_image` (images the project already has are linked, not stored
again) inside a Batch of kind IMPORT, individuals are found or created by their code, and
each sighting is confirmed with a Decision, so the audit trail shows where every identity
came from. After commit the gpu worker extracts the new gallery features
(`reid_hooks.identities_changed`).

Files: image files are content-addressed and written before the transaction commits. When an
import fails half-way, the files written for images that are not in the project after the
rollback are deleted again (a leftover file would be harmless: the same bytes get the same
name and are reused by the next import, but it would take space for nothing).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ...models import (
    Batch,
    BatchItem,
    Decision,
    Deployment,
    Individual,
    Media,
    Project,
    Sighting,
)
from .. import reid_hooks
from ..capture_times import capture_window, outside
from ..decisions import DecisionConflict, record_decision
from ..events import regroup_events
from ..ingest import (
    ImageRejected,
    check_image,
    sha256_of,
    shown_name,
    store_image,
    too_large_message,
)
from ..permissions import decider_refusal
from ..queueing import send_on_commit
from .catalogue_source import Catalogue, CatalogueUnreadable, Entry, open_catalogue, read_entries

log = logging.getLogger(__name__)

NOTE = "catalogue import"


class CatalogueInvalid(Exception):
    """The catalogue has problems; nothing was imported. `problems` are sentences by line."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s); nothing was imported.")
        self.problems = problems


@dataclass
class ImportResult:
    batch: Batch
    individuals_created: list[str] = field(default_factory=list)
    individuals_reused: list[str] = field(default_factory=list)
    confirmed: int = 0  # sightings confirmed by this import (each with a Decision)
    images_stored: int = 0
    images_linked: int = 0  # already in the project (another upload); confirmed here
    unchanged: int = 0  # already confirmed as that individual: nothing to do
    duplicates: int = 0  # the same image twice in the catalogue
    confirmed_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        created, reused = len(self.individuals_created), len(self.individuals_reused)
        return (
            f"{created + reused} individuals ({created} new, {reused} existing), "
            f"{self.confirmed} sightings confirmed ({self.images_stored} new images, "
            f"{self.images_linked} already in the project), {self.unchanged} already "
            f"confirmed, {self.duplicates} duplicates in the catalogue."
        )


def import_catalogue(
    project: Project,
    source: str | Path | IO[bytes],
    *,
    user: User | None,
    split: str | None = None,
    deployment: Deployment | None = None,
    batch: Batch | None = None,
    original_name: str = "",
) -> ImportResult:
    """Import a labelled catalogue (folder, .zip path or open zip) as confirmed sightings.

    - `split`: with a metadata.csv, import only its rows of this split (e.g. "train").
    - `user`: who the Decisions are recorded for (None for a script).
    - `deployment`: the camera station of all images, if there is one.
    - `batch`: a queued IMPORT batch to fill (the worker's path); created when None.

    Raises CatalogueInvalid listing every problem; the project is then unchanged. A `user`
    below the expert role is refused before anything is read: every image becomes a
    confirmed identity, recorded as their decision.
    """
    if refusal := decider_refusal(project, user, "A catalogue import"):
        raise CatalogueInvalid([refusal])
    problems: list[str] = []
    try:
        with open_catalogue(source) as catalogue:
            entries, problems = read_entries(catalogue, split or None)
            problems += _check_dates(project, entries)
            problems += _check_files(catalogue, entries)
            if not problems:
                problems += _check_against_project(project, entries)
            if problems:
                raise CatalogueInvalid(problems)
            return _import(project, catalogue, entries, user, deployment, batch, original_name)
    except CatalogueUnreadable as exc:
        raise CatalogueInvalid([str(exc)]) from exc


IMPORT_TASK = "worker.tasks.catalogue.import_catalogue_batch"


def queue_import(
    project: Project, user: User, uploaded: UploadedFile[bytes], split: str | None = None
) -> Batch:
    """Keep the uploaded zip in a queued IMPORT batch and have a cpu worker import it.

    Sent by name after commit, so the web process never imports the worker (and torch).
    """
    batch = Batch.objects.create(
        project=project, kind=Batch.Kind.IMPORT, created_by=user,
        archive_name=(uploaded.name or "")[:500],
    )  # fmt: skip
    batch.archive.save(f"import-{batch.pk}.zip", uploaded, save=True)
    send_on_commit(IMPORT_TASK, batch.pk, split or None)
    return batch


def _check_dates(project: Project, entries: list[Entry]) -> list[str]:
    """A metadata date becomes the image's capture time: the project's window applies."""
    window = capture_window(project)
    return [
        entry.problem(problem)
        for entry in entries
        if entry.taken_at is not None
        and (problem := outside(window, f"date {entry.taken_at.isoformat()}", entry.taken_at))
    ]


def _check_files(catalogue: Catalogue, entries: list[Entry]) -> list[str]:
    """Hash and fully decode every image; the same bytes twice must name one identity."""
    problems: list[str] = []
    first: dict[str, Entry] = {}
    for entry in entries:
        if entry.path not in catalogue.files:
            continue  # reported as not found while reading the metadata
        try:
            with catalogue.open(entry.path) as handle:
                entry.sha256, size = sha256_of(handle)
                if size > settings.REIDSITE_MAX_IMAGE_BYTES:
                    raise ImageRejected("too_large", too_large_message(size))
                if size == 0:
                    raise ImageRejected("not_an_image", "The file is empty.")
                check_image(handle, entry.path)
        except ImageRejected as exc:
            problems.append(entry.problem(exc.message))
            continue
        earlier = first.setdefault(entry.sha256, entry)
        if earlier is not entry and earlier.identity != entry.identity:
            problems.append(
                entry.problem(
                    f"the same image as {earlier.where} but identity {entry.identity!r}, "
                    f"not {earlier.identity!r}"
                )
            )
    return problems


def _check_against_project(project: Project, entries: list[Entry]) -> list[str]:
    """An image the project already has may be pending or confirmed as the same individual;
    anything else is an expert's decision the catalogue contradicts."""
    by_sha = {e.sha256: e for e in reversed(entries)}  # the first entry of each image
    known = _current_individuals(project, {e.identity for e in entries})
    problems = []
    sightings = Sighting.objects.filter(
        project=project, media__sha256__in=list(by_sha)
    ).select_related("media", "individual__merged_into")
    for sighting in sightings.order_by("pk"):
        entry = by_sha[sighting.media.sha256]
        if sighting.status == Sighting.Status.PENDING:
            continue
        target = known.get(entry.identity)
        if sighting.status == Sighting.Status.CONFIRMED and sighting.individual:
            current = sighting.individual.survivor
            if target is not None and current.pk == target.pk:
                continue
            what = f"confirmed as {current.code}"
        else:
            what = "discarded as no identifiable animal"
        problems.append(
            entry.problem(
                f"already in the project (sighting {sighting.pk}) and {what}, "
                f"not {entry.identity!r}; change it there first"
            )
        )
    return problems


def _current_individuals(project: Project, codes: set[str]) -> dict[str, Individual]:
    """Code -> the individual it names now (a merged code names the survivor)."""
    found = Individual.objects.filter(project=project, code__in=codes).select_related("merged_into")
    return {i.code: i.survivor for i in found}


def _import(
    project: Project,
    catalogue: Catalogue,
    entries: list[Entry],
    user: User | None,
    deployment: Deployment | None,
    batch: Batch | None,
    original_name: str,
) -> ImportResult:
    stored: list[Media] = []
    try:
        with transaction.atomic():
            if batch is None:
                batch = Batch.objects.create(
                    project=project, kind=Batch.Kind.IMPORT, status=Batch.Status.PROCESSING,
                    deployment=deployment, created_by=user, archive_name=original_name[:500],
                    started_at=timezone.now(),
                )  # fmt: skip
            result = ImportResult(batch=batch)
            importer = _Importer(project, user, deployment, result)
            for seq, entry in enumerate(entries, start=1):
                item = importer.add(catalogue, entry, stored)
                item.batch, item.seq = batch, seq
                importer.items.append(item)
            BatchItem.objects.bulk_create(importer.items, batch_size=500)
            Batch.objects.filter(pk=batch.pk).update(
                status=Batch.Status.DONE, finished_at=timezone.now(),
                note=result.summary()[:300], message="",
            )  # fmt: skip
            batch.refresh_from_db()
            if deployment is not None and result.images_stored:
                regroup_events(deployment)
            if result.confirmed_ids:
                reid_hooks.identities_changed(project.pk, result.confirmed_ids)
    except BaseException:
        try:
            _delete_orphans(project, stored)
        except Exception:  # noqa: BLE001 - the import's own error is the one to report
            log.exception("cleaning up after a failed catalogue import")
        raise
    return result


class _Importer:
    """Stores and confirms the entries one by one, remembering individuals and images."""

    def __init__(
        self,
        project: Project,
        user: User | None,
        deployment: Deployment | None,
        result: ImportResult,
    ):
        self.project, self.user, self.deployment, self.result = project, user, deployment, result
        self.individuals: dict[str, Individual] = {}
        self.seen: dict[str, Entry] = {}
        self.items: list[BatchItem] = []
        self.tz = zoneinfo.ZoneInfo(project.time_zone)

    def individual(self, code: str) -> tuple[Individual, bool]:
        if code not in self.individuals:
            existing = _current_individuals(self.project, {code}).get(code)
            if existing is not None:
                self.individuals[code] = existing
                self.result.individuals_reused.append(code)
            else:
                self.individuals[code] = Individual.objects.create(
                    project=self.project, code=code, created_by=self.user
                )
                self.result.individuals_created.append(code)
                return self.individuals[code], True
        return self.individuals[code], False

    def add(self, catalogue: Catalogue, entry: Entry, stored: list[Media]) -> BatchItem:
        item = BatchItem(original_name=shown_name(entry.path), size=0, processed_at=timezone.now())
        earlier = self.seen.setdefault(entry.sha256, entry)
        if earlier is not entry:
            self.result.duplicates += 1
            item.status, item.reason = BatchItem.Status.DUPLICATE, "duplicate"
            item.message = f"Same image as {earlier.where}."
            return item
        with catalogue.open(entry.path) as handle:
            media, created = store_image(
                self.project, handle, entry.path, deployment=self.deployment,
                batch=self.result.batch,
            )  # fmt: skip
        item.media, item.size = media, media.file_size
        sighting = media.sightings.order_by("pk").first()
        assert sighting is not None  # store_image creates every Media with its Sighting
        if created:
            stored.append(media)
            self.result.images_stored += 1
            item.status = BatchItem.Status.ACCEPTED
            self._describe(media, sighting, entry)
        else:
            item.status, item.reason = BatchItem.Status.DUPLICATE, "in_project"
        individual, new = self.individual(entry.identity)
        if sighting.status != Sighting.Status.PENDING:
            if sighting.individual is None or sighting.individual.survivor != individual:
                # Checked before the import; an expert decided it differently since.
                raise CatalogueInvalid(
                    [entry.problem("its sighting was decided during the import; try again")]
                )
            self.result.unchanged += 1
            item.message = f"Already in the project, confirmed as {individual.code}."
            return item
        if not created:
            self.result.images_linked += 1
        self._confirm(sighting, individual, new, entry)
        item.message = f"Confirmed as {individual.code}" + (" (new individual)." if new else ".")
        return item

    def _describe(self, media: Media, sighting: Sighting, entry: Entry) -> None:
        """What the metadata adds to a newly stored image: side, box, date without EXIF."""
        sighting.side = entry.side
        if entry.bbox is not None:
            x, y, w, h = entry.bbox
            if max(entry.bbox) > 1:  # pixels, of the image as displayed
                x, y, w, h = x / media.width, y / media.height, w / media.width, h / media.height
            sighting.bbox_x, sighting.bbox_y = min(x, 1.0), min(y, 1.0)
            sighting.bbox_width, sighting.bbox_height = min(w, 1 - x), min(h, 1 - y)
        sighting.save(update_fields=["side", "bbox_x", "bbox_y", "bbox_width", "bbox_height"])
        if media.taken_at is None and entry.taken_at is not None:
            taken = entry.taken_at
            if timezone.is_naive(taken):
                taken = taken.replace(tzinfo=self.tz)
            media.taken_at, media.timestamp_missing = taken.astimezone(dt.UTC), False
            media.save(update_fields=["taken_at", "timestamp_missing"])

    def _confirm(self, sighting: Sighting, individual: Individual, new: bool, entry: Entry) -> None:
        details = {
            "source": NOTE, "batch": self.result.batch.pk, "path": entry.path,
            "line": entry.line,
        }  # fmt: skip
        if new:
            details.update(created_individual=individual.pk, code=individual.code)
        try:
            record_decision(
                sighting, Decision.Action.NEW if new else Decision.Action.CONFIRM, by=self.user,
                individual=individual, status=Sighting.Status.CONFIRMED, note=NOTE,
                details=details,
            )  # fmt: skip
        except DecisionConflict:
            # A concurrent expert's decision wins, as it does on the review screen.
            raise CatalogueInvalid(
                [entry.problem("its sighting was decided during the import; try again")]
            ) from None
        self.result.confirmed += 1
        self.result.confirmed_ids.append(sighting.pk)


def _delete_orphans(project: Project, stored: list[Media]) -> None:
    """Delete the files of images this failed import stored that no Media holds now."""
    if not stored:
        return
    kept = set(
        Media.objects.filter(project=project, sha256__in=[m.sha256 for m in stored]).values_list(
            "sha256", flat=True
        )
    )
    for media in stored:
        if media.sha256 in kept:
            continue
        for name in (media.file.name, media.thumbnail.name):
            try:
                if name:
                    default_storage.delete(name)
            except OSError:
                log.warning("could not delete %s after a failed catalogue import", name)
