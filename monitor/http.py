"""The shared HTTP client every collector uses.

requests + tenacity: timeouts; retries with exponential backoff on connection errors and
5xx; on 429 it waits as the server says (Retry-After, Mastodon's X-RateLimit-Reset,
Bluesky's RateLimit-Reset, X's x-rate-limit-reset) and goes on; a User-Agent naming
Closer; a per-host request budget. Secrets in query strings are redacted from every URL
it reports.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import tenacity

from closer import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"Closer/{__version__} (public-institution social media monitoring; +https://github.com/closer-monitoring)"
SECRET_PARAMS = {
    "access_token",
    "key",
    "api_key",
    "apikey",
    "token",
    "appsecret_proof",
    "client_secret",
    "bearer_token",
    "input_token",
}
_SECRET_RE = re.compile(
    r"(?i)\b(access_token|api_key|apikey|appsecret_proof|client_secret|bearer_token|input_token|key|token)=([^&\s\"']+)"
)
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=%-]+")


def redact_url(url: str) -> str:
    """The URL with secret query parameters replaced by REDACTED."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    q = [(k, "REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(q, safe=",:()/@")))


def redact_text(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Text (an error message, a log line) with known secrets and token-like parameters masked."""
    out = _SECRET_RE.sub(lambda m: f"{m.group(1)}=REDACTED", text)
    out = _BEARER_RE.sub(lambda m: f"{m.group(1)}REDACTED", out)
    for s in secrets:
        if s:
            out = out.replace(s, "REDACTED")
    return out


class HttpError(Exception):
    """A response that is not a success after the retries (4xx, or 5xx/429 exhausted)."""

    def __init__(self, url: str, status: int, body: str = "", response: requests.Response | None = None):
        self.url = redact_url(url)
        self.status = status
        self.body = body[:500]
        self.response = response
        super().__init__(f"HTTP {status} from {self.url}: {redact_text(self.body[:200])}")


class MalformedResponse(Exception):
    """The server answered 200 but the body is not what was expected (e.g. broken JSON)."""

    def __init__(self, url: str, reason: str):
        self.url = redact_url(url)
        super().__init__(f"malformed response from {self.url}: {reason}")


class BudgetExceeded(Exception):
    """This run has made as many requests to a host as it may."""


def _response_date(resp: requests.Response) -> dt.datetime:
    raw = resp.headers.get("Date")
    if raw:
        try:
            d = email.utils.parsedate_to_datetime(raw)
            if d.tzinfo is None:
                d = d.replace(tzinfo=dt.timezone.utc)
            return d.astimezone(dt.timezone.utc)
        except (TypeError, ValueError):
            pass
    return dt.datetime.now(dt.timezone.utc)


def rate_limit_wait(resp: requests.Response, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from its headers; None if it does not say."""
    now = time.time() if now is None else now
    h = resp.headers
    ra = h.get("Retry-After")
    if ra:
        ra = ra.strip()
        if ra.isdigit():
            return float(ra)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(ra).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for name in ("RateLimit-Reset", "X-RateLimit-Reset", "x-rate-limit-reset"):
        val = h.get(name)
        if not val:
            continue
        val = val.strip()
        try:
            num = float(val)
        except ValueError:
            try:  # Mastodon: an ISO 8601 timestamp
                s = val[:-1] + "+00:00" if val.endswith("Z") else val
                return max(0.0, dt.datetime.fromisoformat(s).timestamp() - now)
            except ValueError:
                continue
        # An epoch (Bluesky, X) or, on some servers, seconds from now.
        return max(0.0, num - now) if num > 1_000_000_000 else num
    return None


class HttpClient:
    """requests.Session with timeouts, retries, rate-limit waits and a per-host budget."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_wait: float = 900.0,
        host_budget: int | None = 5000,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = USER_AGENT,
    ):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.host_budget = host_budget
        self.sleep = sleep
        self.requests_by_host: Counter[str] = Counter()
        self.waited_seconds = 0.0

    @property
    def requests_made(self) -> int:
        return sum(self.requests_by_host.values())

    def _wait(self, state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            resp = outcome.result()
            if resp.status_code in (429, 503):
                told = rate_limit_wait(resp)
                if told is not None:
                    if told > self.max_wait:
                        raise HttpError(resp.url, resp.status_code, f"rate limited for {told:.0f} s (over the {self.max_wait:.0f} s this run waits)", resp)
                    return told
        return min(self.max_backoff, self.backoff * (2 ** (state.attempt_number - 1)))

    @staticmethod
    def _should_retry(resp: requests.Response) -> bool:
        return resp.status_code == 429 or resp.status_code >= 500

    def _sleep(self, seconds: float) -> None:
        self.waited_seconds += seconds
        if seconds > 0:
            log.info("waiting %.1f s before retrying", seconds)
            self.sleep(seconds)

    def get(self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> requests.Response:
        """GET with retries; returns the final response (a 4xx is returned, not raised)."""
        host = urlsplit(url).netloc.lower()

        def once() -> requests.Response:
            if self.host_budget is not None and self.requests_by_host[host] >= self.host_budget:
                raise BudgetExceeded(f"request budget for {host} spent ({self.host_budget} requests)")
            self.requests_by_host[host] += 1
            log.debug("GET %s", redact_url(url))
            return self.session.get(url, params=params, headers=headers, timeout=self.timeout)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self._sleep,
            retry=(
                tenacity.retry_if_exception_type((requests.ConnectionError, requests.Timeout))
                | tenacity.retry_if_result(self._should_retry)
            ),
            retry_error_callback=lambda state: state.outcome.result(),
            reraise=True,
        )
        return retrying(once)

    def get_json(self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> tuple[Any, requests.Response]:
        """GET a JSON document: (parsed body, response). Raises HttpError or MalformedResponse."""
        resp = self.get(url, params=params, headers=headers)
        if resp.status_code >= 400:
            raise HttpError(resp.url, resp.status_code, resp.text, resp)
        try:
            return json.loads(resp.content), resp
        except ValueError as exc:
            raise MalformedResponse(resp.url, f"invalid JSON ({exc})") from exc

    def get_text(self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> tuple[str, requests.Response]:
        resp = self.get(url, params=params, headers=headers)
        if resp.status_code >= 400:
            raise HttpError(resp.url, resp.status_code, resp.text, resp)
        return resp.text, resp

    @staticmethod
    def produced_at(resp: requests.Response) -> dt.datetime:
        """When the server produced the response (its Date header), else now; UTC."""
        return _response_date(resp)
