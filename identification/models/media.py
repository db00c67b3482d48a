from django.db import models


def media_upload_to(instance: "Media", filename: str) -> str:
    # Content-addressed: re-processing the same image writes the same name.
    digest = instance.sha256
    return f"projects/{instance.project_id}/media/{digest[:2]}/{digest}{_ext(filename)}"


def thumbnail_upload_to(instance: "Media", filename: str) -> str:
    return f"projects/{instance.project_id}/thumbs/{instance.sha256[:2]}/{instance.sha256}.jpg"


def _ext(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot != -1 and len(filename) - dot <= 6 else ""


class Event(models.Model):
    """A burst: images of one deployment taken within the project's event gap."""

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="events")
    deployment = models.ForeignKey(
        "Deployment", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["deployment", "start"])]

    def __str__(self) -> str:
        if self.start is None:
            return f"Event {self.pk}"
        return f"Event {self.pk} ({self.start:%Y-%m-%d %H:%M:%S})"


class Media(models.Model):
    class Detection(models.TextChoices):
        PENDING = "pending", "Waiting for detection"
        DONE = "done", "Detected"
        # Detection could not run on it: the frame is kept whole, as one sighting.
        FAILED = "failed", "Detection failed"
        # Catalogue images are crops of known animals: nothing to detect.
        SKIPPED = "skipped", "Not detected (catalogue image)"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="media")
    deployment = models.ForeignKey(
        "Deployment", on_delete=models.SET_NULL, null=True, blank=True, related_name="media"
    )
    batch = models.ForeignKey(
        "Batch", on_delete=models.SET_NULL, null=True, blank=True, related_name="media"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="media"
    )
    file = models.FileField(upload_to=media_upload_to, max_length=300)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=500)
    file_size = models.PositiveBigIntegerField(default=0)
    mime_type = models.CharField(max_length=50, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True, help_text="EXIF DateTimeOriginal.")
    timestamp_missing = models.BooleanField(
        default=False, help_text="The image had no usable EXIF capture time."
    )
    # When the file's capture time was not kept (unreadable, or outside the project's
    # plausible window): its value as written, and the sentence the batch report showed.
    raw_time = models.CharField(max_length=100, blank=True)
    time_problem = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    camera_make = models.CharField(max_length=100, blank=True)
    camera_model = models.CharField(max_length=100, blank=True)
    exif = models.JSONField(default=dict, blank=True)
    detection_status = models.CharField(
        max_length=10, choices=Detection.choices, default=Detection.SKIPPED
    )
    # What found its objects ("megadetector MDV5A", "motion-t28-a0.002", "import: file.json").
    detector = models.CharField(max_length=200, blank=True)
    detection_message = models.CharField(max_length=300, blank=True)
    detected_at = models.DateTimeField(null=True, blank=True)
    # No animal, person or vehicle at or above the project's threshold: kept and exported as
    # blank, never queued for review.
    is_blank = models.BooleanField(default=False)
    # Relative heights of the camera's data strips at the top and bottom of this frame.
    strip_top = models.FloatField(default=0.0)
    strip_bottom = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="unique_media_per_project"),
        ]
        indexes = [
            models.Index(fields=["deployment", "taken_at"]),
            models.Index(fields=["batch", "detection_status"]),
        ]
        ordering = ["taken_at", "pk"]
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return self.original_name


class DetectedObject(models.Model):
    """One object a detector (or an imported MegaDetector file) found in a frame.

    Kept whatever the project's threshold, so a changed threshold can be re-applied; animals
    at or above it are sightings, persons are blurred for everyone but project admins.
    """

    class Category(models.TextChoices):
        ANIMAL = "animal", "Animal"
        PERSON = "person", "Person"
        VEHICLE = "vehicle", "Vehicle"

    media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="detected_objects")
    category = models.CharField(max_length=10, choices=Category.choices)
    conf = models.FloatField()
    # Relative [x, y, w, h], as MegaDetector and Camtrap DP write boxes.
    bbox_x = models.FloatField()
    bbox_y = models.FloatField()
    bbox_width = models.FloatField()
    bbox_height = models.FloatField()
    sighting = models.ForeignKey(
        "Sighting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["media", "-conf", "pk"]
        indexes = [models.Index(fields=["media", "category", "conf"])]

    def __str__(self) -> str:
        return f"{self.category} {self.conf:.2f} in media {self.media_id}"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.bbox_x, self.bbox_y, self.bbox_width, self.bbox_height)
