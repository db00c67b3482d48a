from django.conf import settings
from django.db import models


class GlobalModelVersion(models.Model):
    """One fine-tuning of a project's global descriptor on its confirmed individuals.

    Training (worker.tasks.training) compares the trained model with the one in use on the
    same held-out confirmed images; the comparison is kept whatever it says, and only a
    model that beat it is deployed (Project.global_model). Any earlier trained version, or
    the site's untouched model, can be deployed again (services.global_models.deploy).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        TRAINING = "training", "Training"
        # Trained and better than the model in use: deployable (and deployed at once).
        BETTER = "better", "Better than the model in use"
        # Trained, did not beat the model in use on held-out images: kept for the record.
        NOT_BETTER = "not_better", "Not better than the model in use"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="global_model_versions"
    )
    number = models.PositiveIntegerField(help_text="v1, v2, … within the project.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The version trained from and compared with (None: the site's untouched model).
    base = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    model_name = models.CharField(max_length=200, blank=True)
    # The trained weights (a timm state dict); empty until trained and for a model that did
    # not beat the one in use.
    file = models.FileField(upload_to="global-models/", blank=True, max_length=300)
    image_size = models.PositiveIntegerField(null=True, blank=True)
    loss = models.CharField(max_length=20, blank=True)
    gallery_images = models.PositiveIntegerField(default=0, help_text="At the start.")
    individuals = models.PositiveIntegerField(default=0)
    train_images = models.PositiveIntegerField(default=0)
    val_images = models.PositiveIntegerField(default=0)
    # Top-1 on the held-out images (nearest training image), the model in use and this one.
    top1_current = models.FloatField(null=True, blank=True)
    top1_trained = models.FloatField(null=True, blank=True)
    epochs = models.PositiveIntegerField(default=0)
    best_epoch = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    device = models.CharField(max_length=20, blank=True)
    history = models.JSONField(default=list, blank=True)
    # Sightings whose images were trained on: calibration after deployment leaves them out.
    trained_on = models.JSONField(default=list, blank=True)
    # {"sightings": [...], "individuals": [...|null], "before": [[x, y]...], "after": [...]}
    embedding_map = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written at every epoch: a training whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="unique_global_model_number"
            ),
        ]
        ordering = ["project", "-number"]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def gain(self) -> float | None:
        if self.top1_current is None or self.top1_trained is None:
            return None
        return self.top1_trained - self.top1_current
