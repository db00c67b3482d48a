"""A small survey built for the export tests, whose capture history is worked out by hand.

Project time zone Africa/Johannesburg (UTC+2, no daylight saving). Deployments (local time):

    CAM-A  59.999, 9.998   1 May 10:00 – 9 May 18:00    operates 1–9 May
    CAM-B  60.001, 10.002  1 May 08:00 – 4 May 00:00    operates 1–3 May (ends at midnight)
    CAM-C  no coordinates  8 May 09:00 – 9 May 18:00    operates 8–9 May
    CAM-D  60.0, 10.0      13 May 06:00 – 20 May 18:00  operates 13–20 May

Sightings (local time), IND-0001 "Alpha" exists, IND-0002 is created by a decision:

    s1  A  1 May 12:00:00  event E1  confirmed IND-0001 (candidate 0.91)
    s2  A  1 May 12:00:05  event E1  confirmed IND-0001 (candidate 0.88), same burst as s1
    s3  B  2 May 06:00               confirmed IND-0001 (candidate 0.7, P(new) 0.2)
    s4  C  8 May 10:00               confirmed IND-0001 by hand (no candidate)
    s5  A  4 May 01:00    event E2   new individual -> IND-0002 (still 3 May in UTC)
    s6  A  5 May 15:00    event E3   confirmed IND-0002 (candidate 0.66)
    s7  D  13 May 07:00              confirmed IND-0002 (candidate 0.8)
    s8  D  20 May 09:00              confirmed IND-0001 (outside 1–14 May)
    s9  B  2 May 07:00    batch      pending, P(new) 0.3, candidates IND-0001 0.6, IND-0002 0.2
    s10 A  6 May 09:00    batch      pending, P(new) 0.8 -> proposed new; IND-0001 0.4 was
                                     rejected, IND-0002 0.15 remains
    s11 A  6 May 10:00               rejected (no animal)
    s12 no deployment, no time       pending, never matched
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from identification.models import (
    Batch,
    Candidate,
    Deployment,
    Event,
    Individual,
    Media,
    Project,
    Sighting,
)
from identification.services import decisions

ZONE = ZoneInfo("Africa/Johannesburg")
VERSIONS = {"global": "mega-L-384", "aliked": "aliked-n16"}


def local(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, minute, second, tzinfo=ZONE)


def build_world(project: Project, expert) -> dict:
    project.time_zone = "Africa/Johannesburg"
    project.save(update_fields=["time_zone"])

    def deployment(code, lat, lon, start, end):
        return Deployment.objects.create(
            project=project, code=code, latitude=lat, longitude=lon, start=start, end=end
        )

    cams = {
        "A": deployment("CAM-A", 59.999, 9.998, local(1, 10), local(9, 18)),
        "B": deployment("CAM-B", 60.001, 10.002, local(1, 8), local(4)),
        "C": deployment("CAM-C", None, None, local(8, 9), local(9, 18)),
        "D": deployment("CAM-D", 60.0, 10.0, local(13, 6), local(20, 18)),
    }
    batch = Batch.objects.create(project=project, created_by=expert, status=Batch.Status.DONE)
    events = {
        name: Event.objects.create(project=project, deployment=cams["A"], start=at, end=at)
        for name, at in (("E1", local(1, 12)), ("E2", local(4, 1)), ("E3", local(5, 15)))
    }
    alpha = Individual.objects.create(project=project, code="IND-0001", name="Alpha")
    n = iter(range(1, 100))

    def sighting(cam, taken_at, event=None, batch=None, p_new=None, side="unknown"):
        i = next(n)
        media = Media.objects.create(
            project=project,
            deployment=cams[cam] if cam else None,
            batch=batch,
            event=events[event] if event else None,
            file=f"projects/{project.pk}/media/{i:02d}/{i:064x}.jpg",
            sha256=f"{i:064x}",
            original_name=f"DCIM/100RECNX/IMG_{i:04d}.JPG",
            width=1920,
            height=1080,
            taken_at=taken_at,
        )
        return Sighting.objects.create(
            project=project,
            media=media,
            p_new=p_new,
            side=side,
            pipeline_status="matched" if p_new is not None else "queued",
        )

    def candidate(s, individual, fused, rank=1, rejected=False):
        return Candidate.objects.create(
            sighting=s,
            rank=rank,
            individual=individual,
            fused=fused,
            model_versions=VERSIONS,
            rejected=rejected,
        )

    s = {}
    s[1] = sighting("A", local(1, 12), "E1", p_new=0.05, side="left")
    s[2] = sighting("A", local(1, 12, 0, 5), "E1", p_new=0.07)
    s[3] = sighting("B", local(2, 6), p_new=0.2, side="right")
    s[4] = sighting("C", local(8, 10))
    s[5] = sighting("A", local(4, 1), "E2", p_new=0.9)
    s[6] = sighting("A", local(5, 15), "E3", p_new=0.3)
    s[7] = sighting("D", local(13, 7), p_new=0.1)
    s[8] = sighting("D", local(20, 9), p_new=0.1)
    s[9] = sighting("B", local(2, 7), batch=batch, p_new=0.3)
    s[10] = sighting("A", local(6, 9), batch=batch, p_new=0.8)
    s[11] = sighting("A", local(6, 10), p_new=0.6)
    s[12] = sighting(None, None)
    Sighting.objects.filter(pk=s[1].pk).update(
        bbox_x=0.1, bbox_y=0.25, bbox_width=0.5, bbox_height=0.4
    )

    decisions.confirm(s[1], by=expert, candidate=candidate(s[1], alpha, 0.91))
    decisions.confirm(s[2], by=expert, candidate=candidate(s[2], alpha, 0.88))
    decisions.confirm(s[3], by=expert, candidate=candidate(s[3], alpha, 0.7))
    decisions.confirm(s[4], alpha, by=expert)
    bravo = decisions.new_individual(s[5], by=expert).individual
    decisions.confirm(s[6], by=expert, candidate=candidate(s[6], bravo, 0.66))
    decisions.confirm(s[7], by=expert, candidate=candidate(s[7], bravo, 0.8))
    decisions.confirm(s[8], by=expert, candidate=candidate(s[8], alpha, 0.75))
    candidate(s[9], alpha, 0.6)
    candidate(s[9], bravo, 0.2, rank=2)
    decisions.reject_candidate(s[10], candidate(s[10], alpha, 0.4), by=expert)
    candidate(s[10], bravo, 0.15, rank=2)
    decisions.discard(s[11], by=expert)
    for key in s:
        s[key].refresh_from_db()
    return {"s": s, "cams": cams, "batch": batch, "alpha": alpha, "bravo": bravo}
