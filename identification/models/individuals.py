from django.conf import settings
from django.db import models
from django.urls import reverse


class Individual(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        UNKNOWN = "unknown", "Unknown"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="individuals")
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    notes = models.TextField(blank=True)
    # A merged individual keeps its code (still searchable) and points at the survivor.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="unique_individual_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("individual_detail", args=[self.project.slug, self.pk])

    @property
    def survivor(self) -> "Individual":
        """The individual this one now is: itself, or the one it was merged into."""
        return self.merged_into or self
