"""Forms of the exports page; the management commands validate through them too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from ..models import Batch, Deployment, Project
from ..services.capture_times import SETTABLE
from ..services.exports.capture_history import (
    DETECTORS,
    FORMATS,
    MAX_DAYS,
    USAGES,
    HistoryOptions,
)
from ..services.exports.filters import STATUSES, ExportFilters

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _plausible(day: dt.date | None) -> None:
    """Days far outside any survey (year 1, year 9999) are refused: one day past 9999-12-31
    overflows Python's dates, and a history is computed day by day."""
    first, last = SETTABLE
    if day is not None and not first <= day <= last:
        raise forms.ValidationError(f"Choose a day between {first} and {last}.")


class SightingFilterForm(forms.Form):
    """The review queue's filters, with several statuses at once; empty means all."""

    batch = forms.IntegerField(required=False, min_value=1)
    deployment = forms.CharField(required=False, max_length=100, help_text="Its id or code.")
    date_from = forms.DateField(required=False, label="From", validators=[_plausible])
    date_to = forms.DateField(required=False, label="To", validators=[_plausible])
    status = forms.MultipleChoiceField(
        choices=list(STATUSES.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_batch(self) -> int | None:
        pk = self.cleaned_data.get("batch")
        if pk and not Batch.objects.filter(project=self.project, pk=pk).exists():
            raise forms.ValidationError(f"This project has no batch {pk}.")
        return pk

    def clean_deployment(self) -> int | None:
        value = (self.cleaned_data.get("deployment") or "").strip()
        if not value:
            return None
        found = Deployment.objects.filter(project=self.project, code=value)
        # isdecimal, not isdigit: int("²") fails although "²".isdigit().
        if value.isdecimal():
            found = found | Deployment.objects.filter(project=self.project, pk=int(value))
        pk = found.values_list("pk", flat=True).first()
        if pk is None:
            raise forms.ValidationError(f"This project has no deployment {value}.")
        return pk

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The “from” date is after the “to” date.")
        return data

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            batch=data.get("batch"),
            deployment=data.get("deployment"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            statuses=tuple(s for s in STATUSES if s in (data.get("status") or [])),
        )


class HistoryForm(forms.Form):
    start = forms.DateField(label="First day", widget=DATE, validators=[_plausible])
    end = forms.DateField(label="Last day", widget=DATE, validators=[_plausible])
    days = forms.IntegerField(label="Occasion length (days)", min_value=1, max_value=366, initial=1)
    format = forms.ChoiceField(choices=list(FORMATS.items()), initial="secr")
    detector = forms.ChoiceField(
        choices=list(DETECTORS.items()), required=False, initial="proximity", label="secr detector"
    )
    usage = forms.ChoiceField(
        choices=list(USAGES.items()), required=False, initial="binary", label="secr usage"
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The first day is after the last day.")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(f"A capture history can span at most {MAX_DAYS} days.")
        return data

    def options(self) -> HistoryOptions:
        data = self.cleaned_data
        return HistoryOptions(
            start=data["start"],
            end=data["end"],
            days=data["days"],
            format=data["format"],
            detector=data.get("detector") or "proximity",
            usage=data.get("usage") or "binary",
        )


def form_errors(form: forms.Form) -> str:
    """All of a form's errors on one line, for the management commands."""
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errors)}"
        if name != "__all__"
        else " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )
