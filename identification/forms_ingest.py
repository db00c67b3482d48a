from django import forms

from .models import Deployment


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

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError("Latitude is between -90 and 90 degrees.")
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError("Longitude is between -180 and 180 degrees.")
        return value

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Deployment.objects.filter(project=self.project, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"The project already has a deployment {code!r}.")
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The deployment ends before it starts.")
        return data

    def save(self, commit=True):
        self.instance.project = self.project
        return super().save(commit)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    deployment = forms.ModelChoiceField(
        queryset=Deployment.objects.none(),
        required=False,
        empty_label="(no deployment)",
        help_text="The camera station these images come from; it groups them into events.",
    )
    # Empty files are accepted here and reported per file in the batch report, so one bad
    # file does not send the whole upload back.
    files = MultipleFileField(
        allow_empty_file=True,
        help_text="Camera-trap images (JPEG, PNG, TIFF, WebP), or one .zip of a memory card "
        "(up to 2 GB).",
        widget=MultipleFileInput(attrs={"accept": "image/*,.zip", "multiple": True}),
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = project.deployments.all()
