"""The upload view queues work by task name: the web process never loads the worker code
(the re-ID tasks import torch, ~850 MB resident), and a real broker gets the message."""

import os
import subprocess
import sys
from pathlib import Path

from identification.services.batches import START_BATCH_TASK
from worker.tasks.ingest import start_batch

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import io, sys, zipfile
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from identification.models import Batch, Membership, Project
from tests.images import jpeg_bytes

user = get_user_model().objects.create_user("r")
project = Project.objects.create(name="P")
Membership.objects.create(project=project, user=user, role="ranger")
client = Client(HTTP_HOST="localhost")
client.force_login(user)
card = io.BytesIO()
with zipfile.ZipFile(card, "w") as archive:
    archive.writestr("IMG_1.JPG", jpeg_bytes(seed=1))
response = client.post(
    f"/p/{project.slug}/upload/", {"files": [SimpleUploadedFile("card.zip", card.getvalue())]}
)
assert response.status_code == 302, response.status_code
assert Batch.objects.get().status == "queued"
print("torch" in sys.modules, "worker.tasks" in sys.modules)
"""


def test_the_queued_task_name_is_the_real_one():
    assert start_batch.name == START_BATCH_TASK


def test_uploading_does_not_import_the_worker_or_torch(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="reidsite.settings",
        REIDSITE_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL="filesystem://",
        CELERY_TASK_ALWAYS_EAGER="0",
        REIDSITE_ENABLE_REID="1",
    )
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-2:] == ["False", "False"], "torch, worker.tasks imported?"
    queued = list((tmp_path / "broker" / "queue").glob("*.cpu.msg"))
    assert len(queued) == 1, "start_batch was sent to the cpu queue"
