"""Forms of the individuals catalogue: rename, merge, split."""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import Individual, Project


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)


class IndividualChoiceField(forms.CharField):
    """An individual of the project named by its code (a merged code means its survivor)."""

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        self.project = project
        super().__init__(*args, max_length=100, **kwargs)

    def clean(self, value: Any) -> Individual | None:
        code = super().clean(value).strip()
        if not code:
            return None
        found = Individual.objects.filter(project=self.project, code__iexact=code).first()
        if found is None:
            raise forms.ValidationError(f"No individual with code {code} in this project.")
        return found.survivor


class MergeForm(forms.Form):
    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"] = IndividualChoiceField(
            project=project, label="Merge into (code)", required=True
        )
        self.fields["note"] = forms.CharField(max_length=2000, required=False)


class SplitForm(forms.Form):
    def __init__(self, *args: Any, project: Project, individual: Individual, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sightings"] = forms.ModelMultipleChoiceField(
            queryset=individual.sightings.all(), widget=forms.CheckboxSelectMultiple
        )
        self.fields["into"] = IndividualChoiceField(
            project=project, label="Into (code; empty = new individual)", required=False
        )
        self.fields["name"] = forms.CharField(max_length=200, required=False)
