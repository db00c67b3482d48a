"""Forms of the review screen: queue filters and one decision."""

from __future__ import annotations

from typing import Any

from django import forms

from ..services.review_queue import ORDERS, STATUSES, QueueFilters


def posted_id(value: str) -> int | None:
    """A row id typed or posted by hand: a number within a bigint, else None (never a 500)."""
    return int(value) if value.isdecimal() and len(value) <= 18 else None


class QueueFilterForm(forms.Form):
    """GET filters of the queue; invalid values are ignored rather than shown as errors."""

    batch = forms.IntegerField(required=False, min_value=1)
    deployment = forms.IntegerField(required=False, min_value=1)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    status = forms.ChoiceField(choices=list(STATUSES.items()), required=False)
    order = forms.ChoiceField(choices=list(ORDERS.items()), required=False)

    def filters(self) -> QueueFilters:
        self.is_valid()
        data = self.cleaned_data  # fields with errors are left out, i.e. not filtered on
        return QueueFilters(
            batch=data.get("batch"),
            deployment=data.get("deployment"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=data.get("status") or "pending",
            order=data.get("order") or "confident",
        )


class DecisionForm(forms.Form):
    ACTIONS = [
        ("confirm", "Confirm"),
        ("reject", "Reject"),
        ("new", "New individual"),
        ("skip", "Skip"),
        ("discard", "No animal"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    candidate = forms.IntegerField(required=False)
    # An individual found by search, for a confirmation outside the shown candidates.
    individual = forms.IntegerField(required=False, min_value=1)
    # The sighting version the expert saw; a stale one is a conflict, not an overwrite.
    version = forms.IntegerField(min_value=0)
    name = forms.CharField(max_length=200, required=False)
    search = forms.CharField(max_length=100, required=False)  # what the expert typed
    note = forms.CharField(max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action == "reject" and not data.get("candidate"):
            raise forms.ValidationError("Choose a candidate.")
        if action == "confirm" and not (data.get("candidate") or data.get("individual")):
            raise forms.ValidationError("Choose a candidate or an individual.")
        return data


class BoxForm(forms.Form):
    """A box change: pixel coordinates in the displayed image (the plain-form fallback types
    them; the box editor fills them in from the mouse or the keyboard)."""

    ACTIONS = [("set", "Save box"), ("add", "Add another animal"), ("remove", "Remove box")]

    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(min_value=0, required=False)
    left = forms.FloatField(required=False, min_value=0)
    top = forms.FloatField(required=False, min_value=0)
    width = forms.FloatField(required=False, min_value=1)
    height = forms.FloatField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") in ("set", "add") and any(
            data.get(name) is None for name in ("left", "top", "width", "height")
        ):
            raise forms.ValidationError("Give the box's left, top, width and height in pixels.")
        return data

    def pixels(self) -> tuple[float, float, float, float]:
        data = self.cleaned_data
        return (data["left"], data["top"], data["width"], data["height"])


class BulkForm(forms.Form):
    """Many sightings of the queue list at once: no animal, or skip. The ticked ids are
    `sighting` values, read by `ids`: any may be posted, the view keeps its project's."""

    action = forms.ChoiceField(choices=[("discard", "No animal"), ("skip", "Skip")])

    def ids(self) -> list[int]:
        values = self.data.getlist("sighting") if hasattr(self.data, "getlist") else []
        return sorted({pk for v in values if (pk := posted_id(v)) is not None})
