from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse


class Batch(models.Model):
    """One upload: many image files, or one memory-card zip."""

    class Kind(models.TextChoices):
        FILES = "files", "Image files"
        ZIP = "zip", "Zip archive"
        IMPORT = "import", "Catalogue import"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXPANDING = "expanding", "Reading archive"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="batches")
    deployment = models.ForeignKey(
        "Deployment", on_delete=models.SET_NULL, null=True, blank=True, related_name="batches"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FILES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="batches"
    )
    note = models.CharField(max_length=300, blank=True)
    # For zips: the stored archive, expanded into items by a worker.
    archive = models.FileField(upload_to="uploads/archives/", max_length=300, blank=True)
    archive_name = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True, help_text="Batch-level problems, e.g. a broken zip.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the sweeper (services/sweeper.py) when it queued the batch's work again because
    # it made no progress; the count is of retries since the batch last made progress.
    stall_retries = models.PositiveSmallIntegerField(default=0)
    stall_retried_at = models.DateTimeField(null=True, blank=True)
    # A MegaDetector batch-output JSON uploaded with the batch (or later, onto it), applied by
    # the detection stage; what it matched and did not, for the batch page.
    detections_file = models.FileField(upload_to="uploads/detections/", max_length=300, blank=True)
    detections_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("batch_detail", args=[self.project.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    def counts(self) -> dict[str, int]:
        """Item counts by status in one query."""
        S = BatchItem.Status
        agg = self.items.aggregate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=S.PENDING)),
            accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
            duplicate=Count("pk", filter=Q(status=S.DUPLICATE)),
            skipped=Count("pk", filter=Q(status=S.SKIPPED)),
            flagged=Count("pk", filter=Q(status=S.ACCEPTED) & ~Q(flags=[])),
        )
        agg["done"] = agg["total"] - agg["pending"]
        return agg


class BatchItem(models.Model):
    """One file of a batch and what became of it; the batch report is made of these."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DUPLICATE = "duplicate", "Duplicate"
        SKIPPED = "skipped", "Skipped"

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    original_name = models.CharField(max_length=500)
    # Where the uploaded bytes wait for the worker (files) or the member name (zip). Text:
    # a zip member's name may be up to 64 KiB, and a cut one names no member.
    staged_name = models.TextField(blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=500, blank=True)
    flags = models.JSONField(default=list, blank=True)
    media = models.ForeignKey(
        "Media", on_delete=models.SET_NULL, null=True, blank=True, related_name="batch_items"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="unique_batch_item_seq"),
        ]
        indexes = [models.Index(fields=["batch", "status"])]
        ordering = ["batch", "seq"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS.get(flag, flag.replace("_", " ")) for flag in self.flags or []]


# What the batch page says for each stored reason code (the codes stay in the database, the
# JSON report and the CSV: they are what scripts match on).
REASON_LABELS = {
    "corrupt": "corrupt image",
    "decompression_bomb": "too many pixels",
    "duplicate": "already uploaded",
    "encrypted": "encrypted zip entry",
    "error": "could not be processed",
    "in_project": "already in the project",
    "missing": "missing from the upload",
    "nested_archive": "archive inside the upload",
    "not_an_image": "not an image",
    "stalled": "not processed (stalled)",
    "too_large": "file too large",
    "truncated": "truncated file",
    "unreadable": "unreadable",
    "unsafe_path": "unsafe path in the zip",
    "unsupported_compression": "unsupported zip compression",
    "unsupported_format": "unsupported image format",
}
FLAG_LABELS = {"no_timestamp": "no capture time"}


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " "))
