from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from ..models import Membership, Project, Role
from ..services.capture_times import SETTABLE


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "species", "time_zone", "event_gap_seconds"]

    def clean_time_zone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                f"{value!r} is not an IANA time zone (e.g. Africa/Johannesburg, UTC)."
            ) from None
        return value


class ProjectSettingsForm(ProjectForm):
    class Meta(ProjectForm.Meta):
        fields = [
            *ProjectForm.Meta.fields,
            "individual_code_prefix",
            "new_individual_threshold",
            "auto_threshold",
            "earliest_capture_date",
            "latest_capture_date",
            "detector",
            "detection_threshold",
            "sides_symmetric",
        ]
        widgets = {
            "earliest_capture_date": forms.DateInput(attrs={"type": "date"}),
            "latest_capture_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_new_individual_threshold(self) -> float:
        value = self.cleaned_data["new_individual_threshold"]
        if not 0.0 <= value <= 1.0:
            raise forms.ValidationError("The threshold is a probability between 0 and 1.")
        return value

    def clean_detection_threshold(self) -> float:
        value = self.cleaned_data["detection_threshold"]
        if not 0.0 <= value <= 1.0:
            raise forms.ValidationError("The detection threshold is a confidence between 0 and 1.")
        return value

    def clean_detector(self) -> str:
        value = self.cleaned_data["detector"]
        if value == "megadetector" and not settings.REIDSITE_DETECTOR_WEIGHTS:
            raise forms.ValidationError(
                "MegaDetector's weights are not installed on this server "
                "(REIDSITE_DETECTOR_WEIGHTS, see docs/detection.md)."
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # A threshold the admin typed by hand is meant to stay: the next refit would
        # otherwise replace it. They can switch tuning back on later.
        self.threshold_pinned = bool(
            "new_individual_threshold" in self.changed_data and data.get("auto_threshold")
        )
        if self.threshold_pinned:
            data["auto_threshold"] = False
        first, last = SETTABLE
        for name in ("earliest_capture_date", "latest_capture_date"):
            day = data.get(name)
            if day is not None and not first <= day <= last:
                self.add_error(name, f"Choose a day between {first} and {last}.")
        earliest, latest = data.get("earliest_capture_date"), data.get("latest_capture_date")
        if earliest and latest and earliest > latest:
            self.add_error("latest_capture_date", "The latest day is before the earliest.")
        return data


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RANGER)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_username(self) -> User:
        username = self.cleaned_data["username"]
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(f"No user named {username!r}.") from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        user, role = data.get("username"), data.get("role")
        admins = self.project.memberships.filter(role=Role.ADMIN)
        # The same rule as removing a member: a project without an admin cannot be managed.
        if (
            user is not None
            and role
            and role != Role.ADMIN
            and admins.filter(user=user).exists()
            and not admins.exclude(user=user).exists()
        ):
            raise forms.ValidationError(
                f"{user} is the project's only admin: make another member admin first."
            )
        return data

    def save(self) -> Membership:
        membership, _ = Membership.objects.update_or_create(
            project=self.project,
            user=self.cleaned_data["username"],
            defaults={"role": self.cleaned_data["role"]},
        )
        return membership
