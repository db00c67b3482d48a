"""Sign-in throttling (django-axes): after 10 wrong passwords for one user name from one
address, even the right password is refused for 15 minutes with a page saying when to try
again; another address, a success before the limit, and the end of the lockout let the
user in. The test client's login() goes through the same backend when given a request."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.http import HttpRequest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_in(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"username": "ranger", "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_lock_the_pair_out_with_the_time_to_retry(client, ranger):
    for _ in range(9):
        assert sign_in(client, "wrong").status_code == 200
    locked = sign_in(client, "wrong")  # the tenth
    assert locked.status_code == 429
    right = sign_in(client, "pw-ranger")
    assert right.status_code == 429 and not signed_in(client)
    assert "Too many failed sign-ins" in right.text
    assert "Try again after" in right.text and "in about 15 minutes" in right.text

    # The lockout is for this user name from this address only.
    assert sign_in(client, "pw-ranger", address="198.51.100.2").status_code == 302


def test_the_lockout_ends_after_its_cool_off(client, ranger):
    for _ in range(10):
        sign_in(client, "wrong")
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert sign_in(client, "pw-ranger").status_code == 302 and signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, ranger):
    for _ in range(9):
        sign_in(client, "wrong")
    assert sign_in(client, "pw-ranger").status_code == 302
    client.logout()
    for _ in range(9):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "pw-ranger").status_code == 302


def test_the_test_clients_login_counts_when_given_a_request(client, ranger):
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "203.0.113.7"
    for _ in range(10):
        assert not client.login(request=request, username="ranger", password="wrong")
    assert not client.login(request=request, username="ranger", password="pw-ranger")
