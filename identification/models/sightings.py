from django.conf import settings
from django.db import models
from django.urls import reverse


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    FRONT = "front", "Front"
    BACK = "back", "Back"
    UNKNOWN = "unknown", "Unknown"


class Track(models.Model):
    """One animal over consecutive frames of an event, reviewed and decided as one.

    Formed by services.tracks from capture times and overlapping boxes; the matcher scores
    it as one multi-image query. A sighting leaves its track when an expert splits it off.
    """

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="tracks")
    event = models.ForeignKey(
        "Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="tracks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Track {self.pk}"


class Sighting(models.Model):
    """One animal occurrence in one image, to be identified."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        CONFIRMED = "confirmed", "Confirmed"
        # Discarded by an expert: no identifiable animal (empty frame, too blurred).
        REJECTED = "rejected", "Rejected"
        # A box that was no animal at all (a wrong detection, a second box on one animal):
        # kept for the trail, in no queue, gallery or export.
        REMOVED = "removed", "Removed (wrong box)"

    class PipelineStatus(models.TextChoices):
        QUEUED = "queued", "Waiting for features"
        EXTRACTED = "extracted", "Features extracted"
        MATCHED = "matched", "Matched"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="sightings")
    media = models.ForeignKey("Media", on_delete=models.CASCADE, related_name="sightings")
    # Bounding box in relative coordinates (0..1, Camtrap DP); empty means the whole frame.
    bbox_x = models.FloatField(null=True, blank=True)
    bbox_y = models.FloatField(null=True, blank=True)
    bbox_width = models.FloatField(null=True, blank=True)
    bbox_height = models.FloatField(null=True, blank=True)
    # The detector's confidence in the box; None for a whole frame or a box an expert drew.
    detection_conf = models.FloatField(null=True, blank=True)
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="sightings"
    )
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.UNKNOWN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The current identity, derived from the decision trail and kept here for queries.
    individual = models.ForeignKey(
        "Individual", on_delete=models.SET_NULL, null=True, blank=True, related_name="sightings"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    pipeline_status = models.CharField(
        max_length=10, choices=PipelineStatus.choices, default=PipelineStatus.QUEUED
    )
    pipeline_error = models.CharField(max_length=500, blank=True)
    p_new = models.FloatField(null=True, blank=True, help_text="Probability of a new individual.")
    matched_at = models.DateTimeField(null=True, blank=True)
    # A short review claim so two experts do not get the same sighting at once.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Bumped by every decision; a decision names the version its expert saw and is refused
    # (conditional UPDATE) when another expert has decided in between.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["project", "status", "pipeline_status"]),
            models.Index(fields=["project", "individual"]),
            models.Index(fields=["project", "status", "p_new"]),
        ]

    def __str__(self) -> str:
        return f"Sighting {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("sighting_detail", args=[self.project.slug, self.pk])

    @property
    def has_bbox(self) -> bool:
        return None not in (self.bbox_x, self.bbox_y, self.bbox_width, self.bbox_height)

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) as fractions of the image; None for the whole frame."""
        x, y, w, h = self.bbox_x, self.bbox_y, self.bbox_width, self.bbox_height
        if x is None or y is None or w is None or h is None:  # not self.has_bbox
            return None
        return (x, y, w, h)

    @property
    def css_box(self) -> str:
        """The box as CSS percentages, to outline it over the displayed image."""
        if self.bbox is None:
            return "left:0;top:0;width:100%;height:100%"
        x, y, w, h = self.bbox
        return f"left:{x * 100:.2f}%;top:{y * 100:.2f}%;width:{w * 100:.2f}%;height:{h * 100:.2f}%"

    def crop_box(self, width: int, height: int) -> tuple[int, int, int, int] | None:
        """The bounding box in pixels of an image of the given size, or None for the whole frame."""
        if self.bbox is None:
            return None
        x, y, w, h = self.bbox
        left = max(0, round(x * width))
        top = max(0, round(y * height))
        right = min(width, round((x + w) * width))
        bottom = min(height, round((y + h) * height))
        return (left, top, right, bottom) if right > left and bottom > top else None


class SightingFeatures(models.Model):
    """Global and local descriptors of a sighting, extracted once (worker.pipeline format)."""

    sighting = models.OneToOneField(Sighting, on_delete=models.CASCADE, related_name="features")
    data = models.BinaryField()
    model_versions = models.JSONField(default=dict)
    config_key = models.CharField(max_length=64, help_text="Hash of the extraction settings.")
    # Hash of the keypoint settings alone: a new global model re-embeds a row whose keypoints
    # are still current without extracting them again. Empty: not known (older rows).
    local_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Features of sighting {self.sighting_id}"


class Candidate(models.Model):
    """A ranked proposal: this sighting could be that individual."""

    sighting = models.ForeignKey(Sighting, on_delete=models.CASCADE, related_name="candidates")
    rank = models.PositiveSmallIntegerField()
    individual = models.ForeignKey("Individual", on_delete=models.CASCADE, related_name="+")
    gallery_sighting = models.ForeignKey(
        Sighting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"global": {"raw": 0.71, "calibrated": 0.42}, "aliked": {...}}
    scores = models.JSONField(default=dict)
    fused = models.FloatField(help_text="Fused probability of the same individual.")
    # [[x1, y1, x2, y2, confidence], ...] in original pixels of query and gallery image.
    correspondences = models.JSONField(default=list, blank=True)
    model_versions = models.JSONField(default=dict)
    rejected = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sighting", "individual"], name="unique_candidate_individual"
            ),
        ]
        ordering = ["sighting", "rank"]

    def __str__(self) -> str:
        return f"#{self.rank} {self.individual_id} for sighting {self.sighting_id}"
