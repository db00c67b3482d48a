"""The camera-station form."""

from typing import Any

from django import forms

from ..models import Deployment, Project
from ..services.capture_times import capture_window, outside


class DeploymentForm(forms.ModelForm):
    class Meta:
        model = Deployment
        fields = [
            "code", "name", "location_id", "latitude", "longitude", "coordinate_uncertainty",
            "start", "end", "camera_id", "camera_model", "camera_height", "habitat",
            "bait_use", "comments",
        ]  # fmt: skip
        widgets = {
            "start": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "end": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_latitude(self) -> float | None:
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError("Latitude is between -90 and 90 degrees.")
        return value

    def clean_longitude(self) -> float | None:
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError("Longitude is between -180 and 180 degrees.")
        return value

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = Deployment.objects.filter(project=self.project, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"The project already has a deployment {code!r}.")
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The deployment ends before it starts.")
        window = capture_window(self.project)
        for name in ("start", "end"):
            if problem := outside(window, f"{name.capitalize()} {data.get(name)}", data.get(name)):
                self.add_error(name, problem)
        return data

    def save(self, commit: bool = True) -> Deployment:
        self.instance.project = self.project
        return super().save(commit)
