"""A collection run over registered accounts: fetch → archive → normalise → store.

The database is held only for short writes (run start, each account's rows, run end),
never while waiting on the network, so the app keeps reading during a run
(docs/storage.md). A failing account is recorded in run_errors and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from closer import config, db, registry, runs, store
from closer.pseudonym import Pseudonymiser
from monitor import archive, collector_for
from monitor import credentials as creds
from monitor.base import AccountRef, CollectError, FetchContext, PlatformStop, RawDoc
from monitor.http import BudgetExceeded, HttpClient, HttpError, MalformedResponse, redact_text

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    run_id: str
    status: str
    accounts_ok: int = 0
    accounts_failed: int = 0
    posts: int = 0
    comments: int = 0
    errors: list[str] = field(default_factory=list)


def _reason(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, CollectError):
        return exc.stage, exc.reason
    if isinstance(exc, HttpError):
        return "fetch", f"HTTP {exc.status} from {exc.url}"
    if isinstance(exc, MalformedResponse):
        return "fetch", str(exc)
    if isinstance(exc, BudgetExceeded):
        return "budget", str(exc)
    if isinstance(exc, requests.RequestException):
        return "fetch", f"network error: {exc.__class__.__name__}: {exc}"
    return "internal", f"{exc.__class__.__name__}: {exc}"


def _account_status(exc: BaseException) -> tuple[str, str] | None:
    status = getattr(exc, "account_status", None)
    if status:
        return status, str(exc)
    if isinstance(exc, HttpError) and exc.status in (404, 410):
        return "not_found", f"HTTP {exc.status}"
    return None


# Stored accounts are written in small groups: one short write-lock for several accounts
# (opening DuckDB costs tens of ms), and never longer than FLUSH_SECONDS of collecting.
FLUSH_ACCOUNTS = 8
FLUSH_SECONDS = 2.0


@dataclass
class _Outcome:
    acct: AccountRef
    batch: object
    errors: list[tuple[str, str]]
    fatal: BaseException | None
    status: str
    requests: int
    at: float = field(default_factory=time.monotonic)


def _flush(dbp: Path, run_id: str, pending: list[_Outcome], state: dict, book, result: RunResult) -> None:
    """Store the collected accounts' rows, errors and outcomes in one short connection."""
    secret_values = book.secret_values()
    with db.connect(dbp) as con:
        for o in pending:
            acct, batch, errors, fatal = o.acct, o.batch, o.errors, o.fatal
            counts = {"posts": 0, "comments": 0}
            if batch is not None:
                try:
                    counts = store.save_batch(con, run_id, acct.platform, acct.account_id, batch)
                except Exception as exc:
                    log.exception("storing %s failed", acct.account_id)
                    errors.append(("store", f"{exc.__class__.__name__}: {exc}"))
                    fatal = fatal or exc
                    o.status = "failed"
            for stage, reason in errors:
                runs.record_error(con, run_id, acct.account_id, acct.platform, stage, redact_text(reason, secret_values))
            status_change = _account_status(fatal) if fatal else None
            if status_change:
                con.execute(
                    "UPDATE accounts SET status = ?, status_reason = ?, updated_at = current_timestamp WHERE account_id = ?",
                    [status_change[0], redact_text(status_change[1], secret_values)[:500], acct.account_id],
                )
            elif batch is not None and fatal is None:
                con.execute("UPDATE accounts SET status = 'active', status_reason = NULL WHERE account_id = ? AND status <> 'active'", [acct.account_id])
            if acct.platform in state:
                creds.after_account(con, run_id, acct, book, state[acct.platform], fatal)
            runs.record_account(con, run_id, acct.account_id, o.status, counts["posts"], counts["comments"], o.requests)
            if fatal is None:
                result.accounts_ok += 1
            else:
                result.accounts_failed += 1
            result.posts += counts["posts"]
            result.comments += counts["comments"]
            result.errors.extend(f"{acct.account_id}: {s}: {redact_text(r, secret_values)}" for s, r in errors)
            log.info("%s: %s (%d posts, %d comments)", acct.account_id, "ok" if fatal is None else "failed", counts["posts"], counts["comments"])


def collect(
    db_path: str | Path | None = None,
    *,
    platform: str | None = None,
    institution: str | None = None,
    since: dt.datetime | None = None,
    client: HttpClient | None = None,
    credentials: dict[str, str] | None = None,
) -> RunResult:
    """Collect every matching registered account; returns the run's outcome.

    credentials: settings passed in (name → value, e.g. CLOSER_FACEBOOK_TOKEN__AR_PRIM),
    before the environment and the secrets files (monitor.credentials).
    """
    client = client or HttpClient()
    book = creds.CredentialBook.load(credentials)
    pseudonymise = Pseudonymiser()
    dbp = config.db_path(db_path)
    run_id = runs.new_run_id()
    run_dir = config.archive_dir(dbp) / run_id
    params = {"platform": platform, "institution": institution, "since": since.isoformat() if since else None}
    with db.connect(dbp) as con:
        accts = registry.accounts(con, platform, institution)
        runs.start(con, "collect", params, archive_path=str(run_dir), run_id=run_id)
    result = RunResult(run_id=run_id, status="running")
    stopped: dict[str, str] = {}
    state: dict[str, dict] = {}
    pending: list[_Outcome] = []
    for acct in accts:
        before = client.requests_made
        errors: list[tuple[str, str]] = []
        fatal: BaseException | None = None
        docs: list[RawDoc] = []
        batch = None
        if acct.platform in stopped:
            errors.append(("skipped", f"platform stopped earlier in this run: {stopped[acct.platform]}"))
            fatal = PlatformStop("skipped", stopped[acct.platform])
        else:
            try:
                cls = collector_for(acct.platform)
            except KeyError as exc:
                cls = None
                fatal = exc
                errors.append(("collector", exc.args[0]))
            if cls is not None and acct.platform not in state:
                with db.connect(dbp) as con:
                    state[acct.platform] = creds.load_state(con, acct.platform)
            if cls is not None:
                writer = archive.ArchiveWriter(run_dir, acct.platform, acct.account_id)

                def keep(doc: RawDoc, _w=writer) -> None:
                    docs.append(doc)
                    _w(doc)

                ctx = FetchContext(
                    since=since,
                    archive=keep,
                    warn=lambda stage, reason: errors.append((stage, reason)),
                    credentials=book.for_account(acct),
                    state=state[acct.platform],
                )
                try:
                    cls(client).fetch(acct, ctx)
                except Exception as exc:  # a failing account never aborts the run
                    fatal = exc
                    errors.append(_reason(exc))
                    if isinstance(exc, PlatformStop):
                        stopped[acct.platform] = exc.reason
                    if _reason(exc)[0] == "internal":
                        log.exception("collector %s failed on %s", acct.platform, acct.account_id)
                if docs:
                    try:
                        batch = cls.normalize(acct, docs, pseudonymise)
                    except Exception as exc:
                        log.exception("normalising %s failed", acct.account_id)
                        fatal = fatal or exc
                        batch = None
                        errors.append(("normalize", f"{exc.__class__.__name__}: {exc}"))
        skip = acct.platform in stopped or getattr(fatal, "skip", False)
        pending.append(
            _Outcome(acct, batch, errors, fatal, "skipped" if skip and not docs else ("failed" if fatal is not None else "ok"), client.requests_made - before)
        )
        if len(pending) >= FLUSH_ACCOUNTS or time.monotonic() - pending[0].at >= FLUSH_SECONDS:
            _flush(dbp, run_id, pending, state, book, result)
            pending = []
    if pending:
        _flush(dbp, run_id, pending, state, book, result)
    with db.connect(dbp) as con:
        result.status = runs.finish(con, run_id, requests=client.requests_made)
    return result


def reread(db_path: str | Path | None, run_id: str) -> RunResult:
    """Rebuild a run's rows from its raw archive, replacing exactly that run's rows."""
    dbp = config.db_path(db_path)
    pseudonymise = Pseudonymiser()
    with db.connect(dbp) as con:
        row = con.execute("SELECT archive_path FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id!r}")
        refs = {a.account_id: a for a in registry.accounts(con)}
    run_dir = Path(row[0]) if row[0] else config.archive_dir(dbp) / run_id
    batches = []
    for platform, account_id, docs in archive.read_run(run_dir):
        acct = refs.get(account_id) or AccountRef(account_id, "", platform, account_id.split(":", 1)[-1])
        batches.append((acct, collector_for(platform).normalize(acct, docs, pseudonymise)))
    result = RunResult(run_id=run_id, status="ok")
    with db.connect(dbp) as con:
        con.execute("BEGIN")
        try:
            store.forget_run_rows(con, run_id)
            for acct, batch in batches:
                if batch.account_snapshot is not None:
                    store.save_account_snapshot(con, run_id, acct.account_id, batch.account_snapshot)
                result.posts += store.save_posts(con, run_id, acct.platform, acct.account_id, batch.posts)
                store.save_post_snapshots(con, run_id, acct.platform, batch.post_snapshots)
                result.comments += store.save_comments(con, run_id, acct.platform, acct.account_id, batch.comments)
                result.accounts_ok += 1
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return result


def default_client() -> HttpClient:
    """The client a CLI run uses; CLOSER_HOST_BUDGET caps requests per host."""
    budget = os.environ.get("CLOSER_HOST_BUDGET")
    return HttpClient(host_budget=int(budget) if budget else 5000)
