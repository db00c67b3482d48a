"""The upload form: many images or one zip of a memory card."""

from django import forms

from ..models import Deployment


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
        help_text="Camera-trap images (JPEG, PNG, TIFF, WebP, HEIC), or one .zip of a memory card "
        "(up to 2 GB).",
        widget=MultipleFileInput(attrs={"accept": "image/*,.zip", "multiple": True}),
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = project.deployments.all()
