"""The matcher scores a track's frames together: every frame gets the track's ranking."""

import pytest

from identification.models import Sighting, Track
from worker.tasks import reid as reid_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def test_a_track_is_matched_as_one_multi_image_query(make_sighting, individuals, project):
    gallery = [make_sighting(a, v, individuals[a]) for a in range(4) for v in (1, 2)]
    reid_tasks.update_gallery(project.pk, [s.pk for s in gallery])
    frames = [make_sighting(2, v) for v in (3, 4, 5)]
    track = Track.objects.create(project=project)
    Sighting.objects.filter(pk__in=[f.pk for f in frames]).update(track=track)

    reid_tasks.match([frames[0].pk])  # one frame queued: its whole track is matched

    rankings = []
    for frame in frames:
        frame.refresh_from_db()
        assert frame.pipeline_status == Sighting.PipelineStatus.MATCHED
        ranked = list(frame.candidates.order_by("rank"))
        rankings.append([(c.individual_id, round(c.fused, 6)) for c in ranked])
        assert ranked[0].individual_id == individuals[2].pk
        track_scores = ranked[0].scores["track"]
        assert track_scores["frames"] == 3.0
        per_frame = [track_scores[f"frame_{i}"] for i in range(3)]
        assert ranked[0].fused == pytest.approx(max(per_frame))  # best frame's evidence
        assert frame.p_new == pytest.approx(1.0 - ranked[0].fused)
    assert rankings[0] == rankings[1] == rankings[2]  # one ranking for the whole track
