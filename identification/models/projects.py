from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    """Roles are cumulative: an expert can also upload, an admin can do everything."""

    RANGER = "ranger", "Ranger"
    EXPERT = "expert", "Expert"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.RANGER: 1, Role.EXPERT: 2, Role.ADMIN: 3}


def role_at_least(role: str, minimum: str) -> bool:
    """Roles are cumulative: `role` may do what `minimum` may."""
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


DETECTORS = [
    ("auto", "Automatic (MegaDetector if installed, else motion)"),
    ("megadetector", "MegaDetector (local weights file)"),
    ("motion", "Motion between the frames of a burst (no weights)"),
    ("import", "Imported MegaDetector JSON only (frames wait for a file)"),
    ("none", "None: whole frames, data strips removed"),
]


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> ProjectQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    species = models.CharField(
        max_length=200, blank=True, help_text="Scientific name of the species re-identified."
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="IANA time zone of the cameras' clocks, e.g. Africa/Johannesburg. "
        "EXIF times without an offset are read in it.",
    )
    event_gap_seconds = models.PositiveIntegerField(
        default=60, help_text="Images of one deployment closer in time than this form one event."
    )
    individual_code_prefix = models.CharField(max_length=20, default="IND-")
    # The plausible capture times (services.capture_times): a camera clock that was never set
    # says 1970 or 2000, and a hostile or broken file can say year 9999, which PostgreSQL
    # stores but Python cannot read back. Times outside are kept as "no valid time".
    earliest_capture_date = models.DateField(
        default=dt.date(1990, 1, 1),
        help_text="Capture times before this day (project time zone) are kept as no valid "
        "time, with the file's value shown.",
    )
    latest_capture_date = models.DateField(
        null=True,
        blank=True,
        help_text="Capture times after this day are kept as no valid time. "
        "Empty: up to one day after the moment the image arrives.",
    )
    # The one open-set threshold: the review screen, the queue order and the exports compare
    # P(new) with it; the calibration refit tunes it while `auto_threshold` is on.
    new_individual_threshold = models.FloatField(
        default=0.5,
        help_text="Below this fused probability, a sighting is proposed as a new individual.",
    )
    auto_threshold = models.BooleanField(
        default=True,
        help_text="Tune the threshold from the experts' decisions at each calibration refit. "
        "Off: the threshold stays as set here.",
    )
    # What finds the animals in whole frames before matching (worker.pipeline.detection).
    detector = models.CharField(
        max_length=20,
        choices=DETECTORS,
        default="auto",
        help_text="Finds the animals in each frame. Auto: MegaDetector when its weights are "
        "installed (REIDSITE_DETECTOR_WEIGHTS), else motion.",
    )
    detection_threshold = models.FloatField(
        default=0.2,
        help_text="Detections at or above this confidence become sightings (MegaDetector's "
        "usual value is 0.2); a frame with none is blank.",
    )
    # Per-project overrides of the pipeline configuration (worker.pipeline.config keys).
    reid_config = models.JSONField(default=dict, blank=True)
    # The isotonic calibrations fitted on this project's decisions; empty means the default.
    calibration = models.JSONField(default=dict, blank=True)
    decisions_since_refit = models.PositiveIntegerField(default=0)
    # The fine-tuned global descriptor in use (services.global_models); None: the site's.
    global_model = models.ForeignKey(
        "GlobalModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the model in use last changed: pending sightings matched before it are re-ranked.
    global_model_since = models.DateTimeField(null=True, blank=True)
    # The sweeper's retries of a re-embedding that stopped (services.reembedding).
    reembed_retries = models.PositiveSmallIntegerField(default=0)
    reembed_retried_at = models.DateTimeField(null=True, blank=True)
    sides_symmetric = models.BooleanField(
        "sides look alike",
        default=False,
        help_text="The animals' left and right sides look alike, so training may mirror "
        "images. Off for flank-patterned species (a mirrored flank is another pattern).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()
    # The requesting member's role, set by views.access.get_project_for_user (not stored).
    user_role: str = ""

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.slug])

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:70] or "project"
        slug, n = base, 2
        while Project.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def next_individual_code(self) -> str:
        """The next free code such as IND-0042, skipping codes already taken or aliased."""
        from .individuals import Individual

        prefix = self.individual_code_prefix
        numbers = [0]
        for code in Individual.objects.filter(project=self, code__startswith=prefix).values_list(
            "code", flat=True
        ):
            suffix = code[len(prefix) :]
            if suffix.isdigit():
                numbers.append(int(suffix))
        return f"{prefix}{max(numbers) + 1:04d}"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.RANGER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_membership"),
        ]
        ordering = ["project", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class Deployment(models.Model):
    """A camera station for a period of time (Camtrap DP deployment)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deployments")
    code = models.CharField(max_length=100, help_text="Deployment ID, unique in the project.")
    name = models.CharField(max_length=200, blank=True, help_text="Location name.")
    location_id = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    coordinate_uncertainty = models.PositiveIntegerField(null=True, blank=True, help_text="Metres.")
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    camera_id = models.CharField(max_length=100, blank=True)
    camera_model = models.CharField(max_length=200, blank=True)
    camera_height = models.FloatField(null=True, blank=True, help_text="Metres.")
    habitat = models.CharField(max_length=200, blank=True)
    bait_use = models.BooleanField(null=True, blank=True)
    comments = models.TextField(blank=True)
    # The bars the camera burns into its frames, found from its frames by the detection
    # stage (worker.pipeline.detection.datastrip): {"top": 0.02, "bottom": 0.02, "frames": 8}.
    data_strips = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="unique_deployment_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()
