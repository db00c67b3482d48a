"""The deployments.csv import form."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

MAX_CSV_BYTES = 5 * 1024 * 1024


class DeploymentsCsvForm(forms.Form):
    file = forms.FileField(
        label="deployments.csv",
        help_text="Camtrap DP column names: deploymentID, locationID, locationName, latitude, "
        "longitude, coordinateUncertainty, deploymentStart, deploymentEnd, cameraID, "
        "cameraModel, cameraHeight, habitat, baitUse, deploymentComments.",
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("Over 5 MB: that is not a deployments table.")
        return upload
