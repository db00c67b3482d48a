"""The deployments.csv import form."""

from django import forms

MAX_CSV_BYTES = 5 * 1024 * 1024


class DeploymentsCsvForm(forms.Form):
    file = forms.FileField(
        label="deployments.csv",
        help_text="Camtrap DP column names: deploymentID, locationID, locationName, latitude, "
        "longitude, coordinateUncertainty, deploymentStart, deploymentEnd, cameraID, "
        "cameraModel, cameraHeight, habitat, baitUse, deploymentComments.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("Over 5 MB: that is not a deployments table.")
        return upload
