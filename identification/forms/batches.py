"""The upload form: many images or one zip of a memory card."""

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile

from ..models import Deployment, Project
from ..services import detection_import


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
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
    # A field named like BaseForm.files: the form's metaclass moves it into base_fields.
    files = MultipleFileField(  # type: ignore[assignment]
        allow_empty_file=True,
        help_text="Camera-trap images (JPEG, PNG, TIFF, WebP, HEIC), or one .zip of a memory card "
        "(up to 2 GB).",
        widget=MultipleFileInput(attrs={"accept": "image/*,.zip", "multiple": True}),
    )
    note = forms.CharField(max_length=300, required=False)
    detections = forms.FileField(
        required=False,
        label="Detections (optional)",
        help_text="MegaDetector output for these images (.json, from MegaDetector, "
        "AddaxAI/EcoAssist or Timelapse): its boxes are used instead of running a detector.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deployment = cast(forms.ModelChoiceField, self.fields["deployment"])  # declared above
        deployment.queryset = project.deployments.all()

    def clean_detections(self) -> tuple[bytes, str] | None:
        return clean_detection_file(self.cleaned_data.get("detections"))


class DetectionFileForm(forms.Form):
    """MegaDetector output onto a batch already uploaded."""

    detections = forms.FileField(
        label="MegaDetector output (.json)",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_detections(self) -> tuple[bytes, str] | None:
        return clean_detection_file(self.cleaned_data.get("detections"))


def clean_detection_file(uploaded: UploadedFile | None) -> tuple[bytes, str] | None:
    """(bytes, name) of a readable MegaDetector file; a form error saying why it is not."""
    if not uploaded:
        return None
    if (uploaded.size or 0) > detection_import.MAX_BYTES:  # an upload always has a size
        raise forms.ValidationError("The detection file is over 50 MB.")
    raw = uploaded.read()
    try:
        detection_import.read(raw)
    except detection_import.DetectionFileError as error:
        raise forms.ValidationError(f"Not applied: {error}.") from None
    return raw, uploaded.name or ""
