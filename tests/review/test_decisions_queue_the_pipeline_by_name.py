"""A decision queues the re-ID tasks by name, the gallery update on the `gpu` queue and the
decision counter on the `cpu` queue (it must not wait behind a long batch); the web process
that records it never imports the worker code (torch, ~850 MB resident)."""

from identification.services import reid_hooks
from tests.web_process import run_web_script, sent_messages
from worker.tasks import bookkeeping, detection, reid

SCRIPT = """
import sys
import django
django.setup()
from django.db import transaction
from identification.services import reid_hooks
with transaction.atomic():
    reid_hooks.identities_changed(7, [3, 2, 3])
    reid_hooks.decision_recorded(7)
    reid_hooks.batch_ingested(5)
    reid_hooks.boxes_changed(6)
    reid_hooks.sightings_changed([9, 8])
print("torch" in sys.modules, "worker.tasks" in sys.modules)
"""


def test_the_task_names_are_the_real_ones():
    assert reid.update_gallery.name == reid_hooks.UPDATE_GALLERY_TASK
    assert bookkeeping.count_decision.name == reid_hooks.COUNT_DECISION_TASK
    assert reid.process_batch.name == reid_hooks.PROCESS_BATCH_TASK
    assert reid.match.name == reid_hooks.MATCH_TASK
    assert detection.detect_batch.name == reid_hooks.DETECT_BATCH_TASK


def test_hooks_send_by_name_to_their_queues_without_importing_torch(tmp_path):
    imported = run_web_script(SCRIPT, tmp_path)
    assert imported[-2:] == ["False", "False"], "torch or worker.tasks imported"
    assert sorted(sent_messages(tmp_path)) == sorted(
        [
            ("gpu", reid_hooks.UPDATE_GALLERY_TASK, "[7, [2, 3]]"),
            ("cpu", reid_hooks.COUNT_DECISION_TASK, "[7]"),
            ("gpu", reid_hooks.DETECT_BATCH_TASK, "[5]"),
            ("gpu", reid_hooks.PROCESS_BATCH_TASK, "[6]"),
            ("gpu", reid_hooks.MATCH_TASK, "[[8, 9]]"),
        ]
    )
