from django.conf import settings
from django.db import models


class Decision(models.Model):
    """An append-only record of an expert's action. Identities are derived from these."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed candidate"
        REJECT = "reject", "Rejected candidate"
        NEW = "new", "New individual"
        SKIP = "skip", "Skipped"
        DISCARD = "discard", "No identifiable animal"
        UNDO = "undo", "Undo"
        MERGE = "merge", "Merged individuals"
        SPLIT = "split", "Split individual"
        RENAME = "rename", "Renamed individual"
        BOX = "box", "Changed the box"
        ADD_BOX = "add_box", "Added an animal"
        REMOVE_BOX = "remove_box", "Removed a wrong box"
        UNTRACK = "untrack", "Split a frame off its track"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="decisions")
    sighting = models.ForeignKey(
        "Sighting", on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="decisions"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    individual = models.ForeignKey(
        "Individual", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    candidate = models.ForeignKey(
        "Candidate", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    # The state before this decision, so an undo restores it exactly.
    previous_state = models.JSONField(default=dict, blank=True)
    # What the expert saw: probabilities, P(new), threshold, model versions.
    shown = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    reverts = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
