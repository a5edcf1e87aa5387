import pytest
import requests

from monitor.http import BudgetExceeded, HttpClient, rate_limit_wait, redact_text, redact_url
from tests.conftest import fast_client


def resp(headers):
    r = requests.Response()
    r.status_code = 429
    r.headers.update(headers)
    return r


NOW = 1_780_000_000.0  # 2026-05-28T20:26:40Z


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Retry-After": "12"}, 12.0),
        ({"Retry-After": "Thu, 28 May 2026 20:27:25 GMT"}, 45.0),  # an HTTP-date
        ({"Retry-After": "Thu, 28 May 2026 08:00:00 GMT"}, 0.0),  # in the past: now
        ({"RateLimit-Reset": str(int(NOW) + 40)}, 40.0),  # Bluesky: epoch seconds
        ({"x-rate-limit-reset": str(int(NOW) + 900)}, 900.0),  # X: epoch seconds
        ({"X-RateLimit-Reset": "2026-05-28T20:27:10.000Z"}, 30.0),  # Mastodon: ISO 8601
        ({}, None),
    ],
)
def test_rate_limit_wait_reads_each_platforms_header(headers, expected):
    assert rate_limit_wait(resp(headers), now=NOW) == expected


def test_secrets_are_redacted_from_urls_and_messages():
    url = "https://graph.facebook.com/v19.0/123/posts?fields=id&access_token=EAAB123secret&limit=5"
    assert redact_url(url) == "https://graph.facebook.com/v19.0/123/posts?fields=id&access_token=REDACTED&limit=5"
    assert redact_text(f"HTTP 400 from {url}") == "HTTP 400 from https://graph.facebook.com/v19.0/123/posts?fields=id&access_token=REDACTED&limit=5"
    assert redact_text("Authorization: Bearer AAAAtokenXYZ") == "Authorization: Bearer REDACTED"
    assert redact_text("token was s3cr3t-value here", ["s3cr3t-value"]) == "token was REDACTED here"


def test_per_host_budget(httpserver):
    httpserver.expect_request("/x").respond_with_json({"ok": True})
    client = fast_client(host_budget=2)
    client.get_json(httpserver.url_for("/x"))
    client.get_json(httpserver.url_for("/x"))
    with pytest.raises(BudgetExceeded):
        client.get_json(httpserver.url_for("/x"))
    assert client.requests_made == 2


def test_user_agent_names_closer(httpserver):
    httpserver.expect_request("/ua").respond_with_json({})
    client = HttpClient()
    _, r = client.get_json(httpserver.url_for("/ua"))
    assert httpserver.log[0][0].headers["User-Agent"].startswith("Closer/")


def test_5xx_exhausted_raises_with_status(httpserver):
    from monitor.http import HttpError

    httpserver.expect_request("/down").respond_with_data("no", status=503)
    client = fast_client(attempts=3)
    with pytest.raises(HttpError) as err:
        client.get_json(httpserver.url_for("/down"))
    assert err.value.status == 503
    assert client.requests_made == 3 and client.waits == [0.01, 0.02]
