from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile


class CatalogueImportForm(forms.Form):
    archive = forms.FileField(
        label="Catalogue (.zip)",
        help_text="One folder per individual (<identity>/<image>.jpg), or a wildlife-datasets "
        "folder with metadata.csv (image_id,identity,path,split).",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    split = forms.CharField(
        max_length=50,
        required=False,
        help_text="With metadata.csv: import only the rows of this split, e.g. train. "
        "Empty imports every row.",
    )

    def clean_archive(self) -> UploadedFile[bytes]:
        archive = self.cleaned_data["archive"]
        if not archive.name.lower().endswith(".zip"):
            raise forms.ValidationError("Upload the catalogue as one .zip file.")
        return archive

    def clean_split(self) -> str:
        return self.cleaned_data["split"].strip()
