"""Sign-in throttling hooks for django-axes (settings: AXES_*): the lockout page, which says
when the user may try again, and the client address behind trusted proxies."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with the time the lockout of this user name from this address ends."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    # The lockout runs from the pair's last failure (each refused try counts as one).
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    until = (last or timezone.now()) + cool_off
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    context = {"username": username, "until": until, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the trusted proxies saw."""
    proxies = settings.REIDSITE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        # Each trusted proxy appends the address it was reached from; anything further left
        # was written by the client and proves nothing.
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
