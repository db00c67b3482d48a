"""The upload view queues work by task name: the web process never loads the worker code
(the re-ID tasks import torch, ~850 MB resident), and a real broker gets the message."""

from identification.services.batches import START_BATCH_TASK
from tests.web_process import run_web_script, sent_messages
from worker.tasks.ingest import start_batch

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
    imported = run_web_script(SCRIPT, tmp_path)
    assert imported[-2:] == ["False", "False"], "torch, worker.tasks imported?"
    sent = sent_messages(tmp_path)
    assert [(queue, task) for queue, task, _ in sent] == [("cpu", START_BATCH_TASK)]
