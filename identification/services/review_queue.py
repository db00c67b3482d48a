"""The review queue: which sighting an expert sees next, short claims, and review counts.

Claims are conditional UPDATEs on Sighting.claimed_by/claimed_until, so two experts cannot
both hold one sighting; a claim lapses after REIDSITE_REVIEW_CLAIM_SECONDS, so an expert who
walks away blocks nothing for long. Claims are taken by POSTs only (the screen's claim request
on load, a decision that moves to the next sighting): a GET, which any page or image on
another site can make an expert's browser send, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Abs, RowNumber
from django.utils import timezone

from ..models import Candidate, Decision, Individual, Media, Project, Sighting
from . import tracks

ORDERS = {"confident": "Most confident first", "uncertain": "Least confident first"}
STATUSES = {
    "pending": "Pending",
    "confirmed": "Confirmed",
    "rejected": "No animal",
    "all": "All",
}
# Candidates the review screen shows (keys 1-5), that a decision records as shown, and that
# the matcher stores per sighting (plus the rejected ones it keeps out).
SHOWN_CANDIDATES = 5
MORE_IMAGES = 3
MAX_LINES = 200


@dataclass
class QueueFilters:
    """What the expert narrowed the queue to; carried in every review URL's query string."""

    batch: int | None = None
    deployment: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = "pending"
    order: str = "confident"

    def params(self) -> dict[str, str]:
        values = {
            "batch": self.batch,
            "deployment": self.deployment,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "status": None if self.status == "pending" else self.status,
            "order": None if self.order == "confident" else self.order,
        }
        return {k: str(v) for k, v in values.items() if v is not None}

    def querystring(self) -> str:
        return urlencode(self.params())

    def order_links(self) -> list[tuple[str, str, bool]]:
        """(label, query string, current) for each order, keeping the other filters."""
        return [
            (label, urlencode({**self.params(), "order": order}), order == self.order)
            for order, label in ORDERS.items()
        ]


def scope(project: Project, filters: QueueFilters) -> QuerySet[Sighting]:
    """The project's sightings under every filter but status; frames still waiting for
    detection have no reviewable sightings yet (a blank frame would be one)."""
    qs = Sighting.objects.filter(project=project).exclude(
        media__detection_status=Media.Detection.PENDING
    )
    if filters.batch:
        qs = qs.filter(media__batch_id=filters.batch)
    if filters.deployment:
        qs = qs.filter(media__deployment_id=filters.deployment)
    if filters.date_from:
        qs = qs.filter(media__taken_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(media__taken_at__date__lte=filters.date_to)
    return qs


def queue(project: Project, filters: QueueFilters) -> QuerySet[Sighting]:
    """Filtered and ordered by certainty: how far P(new) is from the project threshold.

    Far either way is easy (clearly a known animal, or clearly a new one); near the threshold
    is hard. Unmatched sightings (no P(new) yet) come last in both orders. A track (one
    animal over a burst) is listed once, by its lead.
    """
    qs = scope(project, filters)
    if filters.status != "all":
        qs = qs.filter(status=filters.status)
    qs = tracks.leads_only(qs)  # a track is one review
    qs = qs.annotate(certainty=Abs(F("p_new") - Value(project.new_individual_threshold)))
    certainty = F("certainty")
    key = certainty.asc if filters.order == "uncertain" else certainty.desc
    return qs.order_by(key(nulls_last=True), "pk")


def counts(project: Project, filters: QueueFilters) -> dict[str, int]:
    """Reviews left and done: a track counts once, as the queue serves it."""
    S = Sighting.Status
    return tracks.leads_only(scope(project, filters)).aggregate(
        pending=Count("pk", filter=Q(status=S.PENDING)),
        decided=Count("pk", filter=~Q(status=S.PENDING)),
    )


def review_counts(sightings: QuerySet[Sighting]) -> dict[str, int]:
    """Extracted / matched / reviewed counts of any set of sightings (e.g. one batch's), as
    they stand now; `reviews` is what the queue serves of the pending ones (a track once) and
    `waiting` the pending ones the pipeline has not matched yet (nor given up on)."""
    P = Sighting.PipelineStatus
    pending = Q(status=Sighting.Status.PENDING)
    counts = sightings.aggregate(
        sightings=Count("pk"),
        extracted=Count("pk", filter=Q(pipeline_status__in=[P.EXTRACTED, P.MATCHED])),
        matched=Count("pk", filter=Q(pipeline_status=P.MATCHED)),
        failed=Count("pk", filter=Q(pipeline_status=P.FAILED)),
        reviewed=Count("pk", filter=~pending),
        pending=Count("pk", filter=pending),
        waiting=Count("pk", filter=pending & Q(pipeline_status__in=[P.QUEUED, P.EXTRACTED])),
    )
    counts["reviews"] = tracks.leads_only(sightings.filter(pending)).count()
    return counts


def claim_seconds() -> int:
    return settings.REIDSITE_REVIEW_CLAIM_SECONDS


def claim(sighting: Sighting, user: User) -> bool:
    """Claim the sighting for `user` unless someone else holds a live claim."""
    now = timezone.now()
    until = now + dt.timedelta(seconds=claim_seconds())
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user)
    if not Sighting.objects.filter(free, pk=sighting.pk).update(
        claimed_by=user, claimed_until=until
    ):
        return False
    sighting.claimed_by, sighting.claimed_until = user, until
    return True


def claim_only(project: Project, sighting: Sighting, user: User) -> bool:
    """Claim this sighting and release the user's other claims in the project (one at a time)."""
    if not claim(sighting, user):
        return False
    Sighting.objects.filter(project=project, claimed_by=user).exclude(pk=sighting.pk).update(
        claimed_by=None, claimed_until=None
    )
    return True


def claimed_by_other(sighting: Sighting, user: User) -> bool:
    return bool(
        sighting.claimed_until
        and sighting.claimed_until > timezone.now()
        and sighting.claimed_by_id != user.pk
    )


def next_for(
    project: Project,
    user: User,
    filters: QueueFilters,
    exclude: list[int] | None = None,
    *,
    claim_it: bool = True,
) -> int | None:
    """The pk of the first sighting in the queue nobody else holds, claimed by `user` unless
    `claim_it` is False (a GET must not change state: it only looks)."""
    now = timezone.now()
    qs = queue(project, filters).exclude(Q(claimed_until__gt=now) & ~Q(claimed_by=user))
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    if not claim_it:
        return qs.values_list("pk", flat=True).first()
    # Another expert may claim one of these between our read and our UPDATE: try a few.
    for pk in qs.values_list("pk", flat=True)[:5]:
        if claim_only(project, Sighting(pk=pk), user):
            return pk
    return None


@dataclass
class Shown:
    """One candidate as the review screen shows it."""

    candidate: Candidate
    individual: Individual
    gallery: Media | None
    more: list[Media] = field(default_factory=list)
    evidence: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    lines: str = "[]"


def top_candidates(sighting: Sighting, limit: int = SHOWN_CANDIDATES) -> list[Candidate]:
    """The candidates an expert is shown, best first: rejected ones left out, each individual
    as it is now (a candidate of an individual merged since matching stands for its survivor,
    once). One query; `candidate.individual.survivor` is the individual shown.

    The review screen renders these and a decision records these as what was shown.
    """
    rows = (
        sighting.candidates.filter(rejected=False)
        .select_related("individual__merged_into", "gallery_sighting__media")
        .order_by("-fused", "rank")
    )
    return pick_shown(rows, limit)


def pick_shown(ordered: Iterable[Candidate], limit: int = SHOWN_CANDIDATES) -> list[Candidate]:
    """From non-rejected candidates ordered best first, the first `limit` distinct survivors."""
    chosen: list[Candidate] = []
    seen: set[int] = set()
    for c in ordered:
        survivor = c.individual.survivor
        if survivor.pk in seen:
            continue  # two candidates of individuals merged since matching
        seen.add(survivor.pk)
        chosen.append(c)
        if len(chosen) == limit:
            break
    return chosen


def candidates_for(sighting: Sighting, limit: int = SHOWN_CANDIDATES) -> list[Shown]:
    """`top_candidates` with what the screen needs: gallery images, evidence, keypoint lines.

    Two queries whatever `limit` is: candidates with individuals and best gallery media, then
    the few latest confirmed images of every shown individual (a window function).
    """
    shown: list[Shown] = []
    for c in top_candidates(sighting, limit):
        gallery = c.gallery_sighting.media if c.gallery_sighting else None
        evidence = [
            (name, (s or {}).get("raw"), (s or {}).get("calibrated"))
            for name, s in sorted((c.scores or {}).items())
        ]
        lines = sorted(c.correspondences or [], key=lambda r: -(r[4] if len(r) > 4 else 0))
        shown.append(
            Shown(c, c.individual.survivor, gallery, [], evidence, json.dumps(lines[:MAX_LINES]))
        )
    if shown:
        _attach_more_images(shown)
    return shown


def _attach_more_images(shown: list[Shown]) -> None:
    by_individual = {s.individual.pk: s for s in shown}
    latest = Window(
        RowNumber(),
        partition_by=[F("individual_id")],
        order_by=[F("decided_at").desc(nulls_last=True), F("pk").desc()],
    )
    rows = (
        Sighting.objects.filter(
            individual_id__in=list(by_individual), status=Sighting.Status.CONFIRMED
        )
        .annotate(n=latest)
        .filter(n__lte=MORE_IMAGES + 1)
        .select_related("media")
        .order_by("individual_id", "n")
    )
    for row in rows:
        assert row.individual_id is not None  # filtered on individual_id__in
        item = by_individual[row.individual_id]
        if item.gallery is None:
            item.gallery = row.media
        elif row.media_id != item.gallery.pk and len(item.more) < MORE_IMAGES:
            item.more.append(row.media)


def calibration_note(project: Project) -> tuple[bool, str]:
    """(calibrated?, what the probabilities on the screen are fitted on), in words."""
    calibration = project.calibration or {}
    last = calibration.get("last_fit") or {}
    if calibration.get("matchers"):
        parts = []
        if last.get("pseudo_queries"):
            images = (calibration.get("gallery_fit") or {}).get("images", 0)
            parts.append(f"{images} gallery images")
        if last.get("decided_sightings"):
            parts.append(f"{last['decided_sightings']} decided sightings")
        return True, "calibrated on this project's " + (" and ".join(parts) or "data")
    if not project.sightings.filter(
        status=Sighting.Status.CONFIRMED, individual__isnull=False
    ).exists():
        return False, "uncalibrated: no confirmed individuals yet"
    return False, (
        "uncalibrated: shipped default, until this project's gallery is fitted "
        "(at least 10 confirmed images, some individual seen twice)"
    )


def burst_of(media: Media, limit: int = 12) -> list[Media]:
    """The other images of the query's event (burst), in time order."""
    if not media.event_id:
        return []
    return list(
        Media.objects.filter(event_id=media.event_id)
        .exclude(pk=media.pk)
        .only("pk", "taken_at", "width", "height")
        .order_by("taken_at", "pk")[:limit]
    )


def annotate_rows(rows: list[Sighting]) -> None:
    """For the queue list: each row's best standing candidate and its track's frame count,
    in two queries for the whole page."""
    best: dict[int, Candidate] = {}
    for c in (
        Candidate.objects.filter(sighting__in=rows, rejected=False)
        .select_related("individual__merged_into")
        .order_by("sighting_id", "rank")
    ):
        best.setdefault(c.sighting_id, c)
    frames = dict(
        Sighting.objects.filter(track_id__in={s.track_id for s in rows if s.track_id})
        .values("track_id")
        .annotate(n=Count("pk"))
        .values_list("track_id", "n")
    )
    for s in rows:
        # For the template only: not fields, not annotations of the query.
        s.top_candidate = best.get(s.pk)  # type: ignore[attr-defined]
        s.track_frames = frames.get(s.track_id or 0, 1)  # type: ignore[attr-defined]


def track_frames(sighting: Sighting) -> list[Sighting]:
    """Every frame of the sighting's track (itself included), in time order; [] untracked."""
    if sighting.track_id is None:
        return []
    return list(tracks.members(sighting).select_related("media"))


def decisions_per_expert(project: Project) -> list[Mapping[str, object]]:
    A = Decision.Action
    return list(
        Decision.objects.filter(project=project)
        .exclude(action__in=[A.SKIP, A.UNDO])
        .values("user__username")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(action=A.CONFIRM)),
            new=Count("pk", filter=Q(action=A.NEW)),
            rejected=Count("pk", filter=Q(action=A.REJECT)),
            undone=Count("pk", filter=Q(reverted_by__isnull=False)),
        )
        .order_by("-total")
    )
