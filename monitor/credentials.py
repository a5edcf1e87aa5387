"""Credentials for the platforms that need them, and what an admin may see about them.

Where a token comes from (first found wins): values passed to the run, the environment,
./.streamlit/secrets.toml, ~/.streamlit/secrets.toml, closer.toml ($CLOSER_CONFIG, else
$CLOSER_HOME/closer.toml, else ~/.config/closer/closer.toml: outside the repository).
Which token an account uses (first found wins): the account's own setting
(NAME__<INSTITUTION>__<HANDLE>), its institution's (NAME__<INSTITUTION>), the programme's
(NAME). Names and how to get each token: docs/credentials.md.

What is stored (migrations 050-052): the NAME of the setting used, never its value; the
credential's last outcome and expiry; the YouTube quota ledger; resume cursors; posts whose
replies a run could not read. Tokens are kept out of the raw archive (`redact_body`) and
out of log records (`protect_logs`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from closer import registry
from monitor.base import AccountRef, CollectError, FetchContext, PlatformStop
from monitor.http import redact_text, redact_url

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]

# platform → the settings its collector uses, primary first. Instagram's Graph API takes
# the Facebook page token of the page the Instagram account is linked to, so an
# institution's Facebook token serves its Instagram account when no Instagram one is set.
SETTINGS: dict[str, tuple[str, ...]] = {
    "facebook": (
        "CLOSER_FACEBOOK_TOKEN",
        "CLOSER_FACEBOOK_APP_SECRET",
        "CLOSER_FACEBOOK_APP_TOKEN",
    ),
    "instagram": (
        "CLOSER_INSTAGRAM_TOKEN",
        "CLOSER_FACEBOOK_APP_SECRET",
        "CLOSER_FACEBOOK_APP_TOKEN",
    ),
    "youtube": ("CLOSER_YOUTUBE_API_KEY",),
    "x": ("CLOSER_X_BEARER_TOKEN",),
}
FALLBACK = {"CLOSER_INSTAGRAM_TOKEN": "CLOSER_FACEBOOK_TOKEN"}
CREDENTIALED = tuple(SETTINGS)
_KEY_RE = re.compile(r"[^A-Z0-9]+")
_NAME_RE = re.compile(r"^CLOSER_[A-Z0-9_]+$")


def key_part(value: str) -> str:
    """An institution id or handle as it appears in a setting name: 'AR-PRIM' → 'AR_PRIM'."""
    return _KEY_RE.sub("_", value.strip().lstrip("@").upper()).strip("_")


def account_handle_key(account: AccountRef) -> str:
    """The handle part of an account's own setting: the account id after 'platform:'."""
    return key_part(account.account_id.split(":", 1)[-1])


def setting_names(account: AccountRef, base: str) -> list[str]:
    """The names that can hold `base` for this account, most specific first."""
    inst = key_part(account.institution_id) if account.institution_id else ""
    names = []
    if inst:
        names.append(f"{base}__{inst}__{account_handle_key(account)}")
        names.append(f"{base}__{inst}")
    names.append(base)
    return names


def expires_name(name: str) -> str:
    """The setting a person fills with a token's expiry: CLOSER_X__I1 → CLOSER_X_EXPIRES__I1."""
    base, sep, rest = name.partition("__")
    return f"{base}_EXPIRES{sep}{rest}"


@dataclass(frozen=True)
class Secret:
    """One configured setting: its name, where it was found, and (never shown) its value."""

    name: str
    value: str = field(repr=False)
    source: str = "environment"


class CredentialBook:
    """Every CLOSER_* setting found in the sources, resolved per account on demand."""

    def __init__(self, entries: Mapping[str, Secret] | None = None):
        self.entries: dict[str, Secret] = dict(entries or {})

    @classmethod
    def load(
        cls,
        passed: Mapping[str, str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        files: list[tuple[Path, str]] | None = None,
    ) -> CredentialBook:
        """Read the sources (see the module docstring); later sources never override earlier."""
        entries: dict[str, Secret] = {}

        def add(name: str, value: Any, source: str) -> None:
            if not isinstance(name, str) or not _NAME_RE.match(name) or name in entries:
                return
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            if not isinstance(value, str) or not value.strip():
                return
            entries[name] = Secret(name, value.strip(), source)

        for k, v in (passed or {}).items():
            add(k, v, "passed")
        for k, v in (os.environ if environ is None else environ).items():
            add(k, v, "environment")
        for path, label in default_files() if files is None else files:
            for k, v in read_toml(path).items():
                add(k, v, label)
        book = cls(entries)
        protect_logs(book.secret_values())
        return book

    def lookup(self, name: str) -> Secret | None:
        return self.entries.get(name)

    def resolve(self, account: AccountRef, base: str) -> Secret | None:
        """The setting `base` for this account: its own, its institution's, the programme's."""
        for name in setting_names(account, base):
            if name in self.entries:
                return self.entries[name]
        if base in FALLBACK:
            return self.resolve(account, FALLBACK[base])
        return None

    def primary(self, account: AccountRef) -> Secret | None:
        """The token or key the account's collector authenticates with."""
        bases = SETTINGS.get(account.platform)
        return self.resolve(account, bases[0]) if bases else None

    def configured_expiry(self, secret: Secret) -> dt.datetime | None:
        """The expiry a person wrote beside the token (NAME_EXPIRES…), UTC; None if not given."""
        raw = self.entries.get(expires_name(secret.name))
        if raw is None:
            return None
        try:
            d = dt.datetime.fromisoformat(raw.value)
        except ValueError:
            log.warning("%s: %r is not a date (YYYY-MM-DD)", raw.name, raw.value)
            return None
        return (d if d.tzinfo else d.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)

    def for_account(self, account: AccountRef) -> dict[str, str]:
        """What the account's collector gets as ctx.credentials.

        `BASE` → the value; `BASE.setting` → the name it came from (for messages and the
        quota ledger); `BASE.expires` → a configured expiry (ISO 8601), when given.
        """
        out: dict[str, str] = {}
        for base in SETTINGS.get(account.platform, ()):
            s = self.resolve(account, base)
            if s is None:
                continue
            out[base] = s.value
            out[f"{base}.setting"] = s.name
            exp = self.configured_expiry(s)
            if exp is not None:
                out[f"{base}.expires"] = exp.isoformat()
        return out

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret value (to mask in messages); expiry dates excluded."""
        return tuple(
            s.value for n, s in self.entries.items() if "_EXPIRES" not in n and _looks_secret(n)
        )


def _looks_secret(name: str) -> bool:
    if name.endswith(("_FILE", "_PATH", "_DIR", "_QUOTA")):
        return False
    return any(w in name for w in ("TOKEN", "KEY", "SECRET", "PASSWORD"))


def default_files() -> list[tuple[Path, str]]:
    """The TOML files read for settings, in order of precedence."""
    home = Path.home()
    closer_home = Path(os.environ.get("CLOSER_HOME") or home / ".config" / "closer")
    toml = (
        Path(os.environ["CLOSER_CONFIG"])
        if os.environ.get("CLOSER_CONFIG")
        else closer_home / "closer.toml"
    )
    return [
        (Path.cwd() / ".streamlit" / "secrets.toml", "secrets.toml"),
        (home / ".streamlit" / "secrets.toml", "secrets.toml"),
        (toml, "closer.toml"),
    ]


def read_toml(path: Path) -> dict[str, Any]:
    """CLOSER_* keys of a TOML file: at the top level or in a [closer] table; {} if absent.

    A file that is not valid TOML is reported (file and reason, never its content) and
    skipped, so one broken file does not stop a run.
    """
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        log.error("%s: not read (%s)", path, exc.__class__.__name__)
        return {}
    if path.name == "closer.toml" and _inside_repo(path):
        log.warning(
            "%s is inside the repository; keep closer.toml outside it (docs/credentials.md)", path
        )
    out: dict[str, Any] = {
        k: v for k, v in data.items() if isinstance(k, str) and k.startswith("CLOSER_")
    }
    section = data.get("closer")
    if isinstance(section, dict):
        for k, v in section.items():
            out.setdefault(k, v)
    return out


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(REPO)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------- errors collectors raise


class CredentialProblem(CollectError):
    """The account cannot be collected because of its credential.

    credential_status goes to credential_status.status; account_status (when set) to
    accounts.status through the runner; skip=True records the account as skipped, not failed.
    """

    def __init__(
        self,
        stage: str,
        reason: str,
        credential_status: str,
        account_status: str | None = None,
        skip: bool = False,
    ):
        super().__init__(stage, reason)
        self.credential_status = credential_status
        if account_status:
            self.account_status = account_status
        self.skip = skip


class MissingCredentials(CredentialProblem):
    """No token configured for the account: it is skipped with this reason, the run goes on."""

    def __init__(self, account: AccountRef, base: str):
        names = setting_names(account, base)
        also = f" (or {FALLBACK[base]}…)" if base in FALLBACK else ""
        reason = (
            f"no token configured for {account.account_id}: set "
            f"{names[-2] if len(names) > 1 else names[0]}"
            f" (this institution) or {base} (the programme){also}; see docs/credentials.md"
        )
        super().__init__("credentials", reason, "no_token", account_status="no_token", skip=True)


class CredentialStop(PlatformStop):
    """The platform must stop for this run because of its credential (quota spent, rate limit)."""

    def __init__(self, stage: str, reason: str, credential_status: str):
        super().__init__(stage, reason)
        self.credential_status = credential_status


def require(ctx: FetchContext, account: AccountRef, base: str) -> str:
    """The account's token for setting `base`, or MissingCredentials."""
    value = ctx.credentials.get(base)
    if not value:
        raise MissingCredentials(account, base)
    return value


def note_check(ctx: FetchContext, account: AccountRef, **info: Any) -> None:
    """Tell the runner what this run learned about the account's credential (ok, expiry)."""
    check = ctx.state.get("token_check")
    if not check or check.get("account_id") != account.account_id:
        check = {"account_id": account.account_id}
        ctx.state["token_check"] = check
    check.update(info)


def note_coverage(ctx: FetchContext, post_id: str, reason: str, complete: bool = False) -> None:
    """Mark a post whose replies this run did not (fully) read (thread_coverage)."""
    ctx.state.setdefault("coverage", []).append(
        {"post_id": post_id, "reason": reason, "complete": complete}
    )


# ---------------------------------------------------------------------------- redaction

_PROTECTED: set[str] = set()
_factory_installed = False


def protect_logs(values: tuple[str, ...] | list[str]) -> None:
    """Mask these secret values in every log record from now on (also in tracebacks).

    Installed as a LogRecord factory, so records of every library (urllib3 logs request
    lines with their query strings at DEBUG) are masked before any handler sees them.
    """
    global _factory_installed
    _PROTECTED.update(v for v in values if v and len(v) >= 6)
    if _factory_installed or not _PROTECTED:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            _mask_record(record)
        except Exception:  # noqa: BLE001, S110 - masking must never break logging
            pass
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _mask_record(record: logging.LogRecord) -> None:
    secrets = tuple(_PROTECTED)
    msg = record.getMessage()
    masked = mask(msg, secrets)
    if masked != msg:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[0] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = mask(text, secrets)


_URL_SECRET_RE = re.compile(
    r"(?i)\b(access_token|input_token|appsecret_proof|client_secret|api_key|key)=([^&\s\"'<>]+)"
)


def mask(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Text with known secrets and token-carrying URL parameters masked."""
    out = text
    for s in secrets:
        if s and s in out:
            out = out.replace(s, "REDACTED")
    if "=" in out:
        out = _URL_SECRET_RE.sub(lambda m: f"{m.group(1)}=REDACTED", out)
    return out


_TOKEN_FIELDS = {
    "access_token",
    "token",
    "bearer_token",
    "client_secret",
    "app_secret",
    "refresh_token",
}


def redact_body(body: Any, secrets: tuple[str, ...] | list[str] = ()) -> Any:
    """A JSON body with secrets removed before it is archived.

    Graph API paging URLs (`paging.next`, `paging.previous`) carry the access token in
    their query string; any string holding a known secret is masked too. Other text
    (messages, comments) is left as the platform gave it.
    """
    if isinstance(body, dict):
        # /me/accounts and similar answers carry page tokens in an `access_token` field
        return {
            k: (
                "REDACTED" if k in _TOKEN_FIELDS and isinstance(v, str) else redact_body(v, secrets)
            )
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [redact_body(v, secrets) for v in body]
    if isinstance(body, str):
        out = body
        for s in secrets:
            if s and s in out:
                out = out.replace(s, "REDACTED")
        if out.startswith(("http://", "https://")) and "?" in out:
            out = redact_url(out)
        return out
    return body


# ------------------------------------------------------- state kept between runs (DB)


def load_state(con: duckdb.DuckDBPyConnection, platform: str) -> dict[str, Any]:
    """The platform's state from earlier runs: quota ledger (latest day per credential), cursors."""
    quota: dict[str, dict[str, Any]] = {}
    rows = con.execute(
        "SELECT credential_name, quota_day, units_used, calls, exhausted_at FROM quota_ledger"
        " WHERE platform = ? ORDER BY quota_day",
        [platform],
    ).fetchall()
    for name, day, units, calls, exhausted in rows:
        quota[name] = {
            "day": day.isoformat(),
            "units": units,
            "calls": calls,
            "exhausted_at": exhausted.isoformat() if exhausted else None,
        }
    cursors = {
        a: json.loads(c)
        for a, c in con.execute(
            "SELECT account_id, cursor FROM collect_cursors WHERE platform = ?", [platform]
        ).fetchall()
    }
    return {
        "quota": quota,
        "cursors": cursors,
        "_loaded_cursors": json.dumps(cursors, sort_keys=True),
    }


def save_state(
    con: duckdb.DuckDBPyConnection, run_id: str, account: AccountRef, state: dict[str, Any] | None
) -> None:
    """Write back what the collector changed: quota ledger, this account's cursor, coverage."""
    if not state:
        return
    now = dt.datetime.now(dt.UTC)
    for name, q in (state.get("quota") or {}).items():
        con.execute(
            "INSERT INTO quota_ledger VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, "
            "credential_name, quota_day)"
            " DO UPDATE SET units_used = excluded.units_used, calls = excluded.calls,"
            " exhausted_at = excluded.exhausted_at, updated_at = excluded.updated_at",
            [
                account.platform,
                name,
                dt.date.fromisoformat(q["day"]),
                int(q["units"]),
                int(q.get("calls") or 0),
                q.get("exhausted_at"),
                now,
            ],
        )
    cursors = state.get("cursors") or {}
    loaded = json.loads(state.get("_loaded_cursors") or "{}")
    if account.account_id in cursors:
        cur = cursors[account.account_id]
        if cur is None:
            con.execute(
                "DELETE FROM collect_cursors WHERE platform = ? AND account_id = ?",
                [account.platform, account.account_id],
            )
            cursors.pop(account.account_id)
        elif cur != loaded.get(account.account_id):
            con.execute(
                "INSERT INTO collect_cursors VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, "
                "account_id)"
                " DO UPDATE SET cursor = excluded.cursor, run_id = excluded.run_id, updated_at = "
                "excluded.updated_at",
                [
                    account.platform,
                    account.account_id,
                    json.dumps(cur, sort_keys=True),
                    run_id,
                    now,
                ],
            )
    for c in state.pop("coverage", []):
        con.execute(
            "INSERT INTO thread_coverage VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, "
            "platform, post_id)"
            " DO UPDATE SET complete = excluded.complete, reason = excluded.reason",
            [
                run_id,
                account.platform,
                str(c["post_id"]),
                account.account_id,
                bool(c.get("complete", False)),
                c["reason"],
            ],
        )


def record_status(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    account: AccountRef,
    book: CredentialBook,
    check: dict[str, Any] | None,
    fatal: BaseException | None,
) -> None:
    """Record how the account's credential fared in this run (credential_status table).

    check: what the collector learned ({"ok": bool, "expires_at", "never_expires",
    "scopes"}); fatal: the exception that ended the account, if any. A failure that says
    nothing about the credential (a network error, an unknown page) leaves the status as
    the collector's check found it.
    """
    if account.platform not in CREDENTIALED or getattr(fatal, "stage", None) == "skipped":
        return
    secret = book.primary(account)
    now = dt.datetime.now(dt.UTC)
    check = check or {}
    status = getattr(fatal, "credential_status", None)
    reason = redact_text(str(fatal), book.secret_values())[:500] if fatal is not None else None
    if status is None:
        if secret is None:
            status, reason = "no_token", reason or "no token configured"
        elif check.get("ok"):
            status = "ok"
            reason = None
        else:
            status = "unchecked" if fatal is None else "error"
    expires = check.get("expires_at")
    never = check.get("never_expires")
    source = "platform" if expires is not None or never is not None else None
    if source is None and secret is not None:
        configured = book.configured_expiry(secret)
        if configured is not None:
            expires, source = configured, "configured"
    ok = status == "ok"
    con.execute(
        "INSERT INTO credential_status (account_id, platform, credential_name, "
        "credential_source, status, reason,"
        " expires_at, never_expires, expiry_source, scopes, last_ok_at, last_error_at, "
        "last_checked_at, last_run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
        " platform = excluded.platform, credential_name = excluded.credential_name,"
        " credential_source = excluded.credential_source, status = excluded.status, reason = "
        "excluded.reason,"
        " expires_at = CASE WHEN excluded.expiry_source IS NULL AND excluded.credential_name IS "
        "NOT DISTINCT FROM"
        "   credential_status.credential_name THEN credential_status.expires_at ELSE "
        "excluded.expires_at END,"
        " never_expires = CASE WHEN excluded.expiry_source IS NULL AND excluded.credential_name "
        "IS NOT DISTINCT FROM"
        "   credential_status.credential_name THEN credential_status.never_expires ELSE "
        "excluded.never_expires END,"
        " expiry_source = CASE WHEN excluded.expiry_source IS NULL AND excluded.credential_name "
        "IS NOT DISTINCT FROM"
        "   credential_status.credential_name THEN credential_status.expiry_source ELSE "
        "excluded.expiry_source END,"
        " scopes = coalesce(excluded.scopes, credential_status.scopes),"
        " last_ok_at = coalesce(excluded.last_ok_at, credential_status.last_ok_at),"
        " last_error_at = coalesce(excluded.last_error_at, credential_status.last_error_at),"
        " last_checked_at = excluded.last_checked_at, last_run_id = excluded.last_run_id",
        [
            account.account_id,
            account.platform,
            secret.name if secret else None,
            secret.source if secret else None,
            status,
            reason,
            expires,
            never,
            source,
            check.get("scopes"),
            now if ok else None,
            None if ok or status == "unchecked" else now,
            now,
            run_id,
        ],
    )


def after_account(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    account: AccountRef,
    book: CredentialBook,
    state: dict[str, Any] | None,
    fatal: BaseException | None,
) -> None:
    """The runner's hook after each account: credential status, then the platform's state."""
    check = (state or {}).pop("token_check", None)
    if check is not None and check.get("account_id") not in (None, account.account_id):
        check = None
    record_status(con, run_id, account, book, check, fatal)
    save_state(con, run_id, account, state)


# ------------------------------------------------------------------- what an admin sees


def status_rows(
    con: duckdb.DuckDBPyConnection, book: CredentialBook, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One row per account of a credentialed platform: configured setting, last outcome, expiry.

    configured: the setting the account would use now (None: no token configured);
    days_left: whole days until expires_at (None when unknown or never expires).
    """
    now = now or dt.datetime.now(dt.UTC)
    stored = {
        r[0]: r
        for r in con.execute(
            "SELECT account_id, status, reason, expires_at, never_expires, expiry_source, "
            "last_ok_at, last_checked_at"
            " FROM credential_status"
        ).fetchall()
    }
    out = []
    for acct in registry.accounts(con):
        if acct.platform not in CREDENTIALED:
            continue
        secret = book.primary(acct)
        row = stored.get(acct.account_id)
        expires = row[3] if row else None
        never = row[4] if row else None
        source = row[5] if row else None
        if (expires is None and never is None) and secret is not None:
            configured = book.configured_expiry(secret)
            if configured is not None:
                expires, source = configured, "configured"
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        days_left = None if expires is None else int((expires - now).total_seconds() // 86400)
        out.append(
            {
                "account_id": acct.account_id,
                "institution_id": acct.institution_id,
                "platform": acct.platform,
                "configured": secret.name if secret else None,
                "source": secret.source if secret else None,
                "status": (row[1] if row else ("not collected yet" if secret else "no_token")),
                "reason": row[2] if row else (None if secret else "no token configured"),
                "expires_at": expires,
                "never_expires": never,
                "expiry_source": source,
                "days_left": days_left,
                "last_ok_at": row[6] if row else None,
                "last_checked_at": row[7] if row else None,
            }
        )
    return out
