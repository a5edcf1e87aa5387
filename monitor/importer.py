"""`closer import`: raw platform responses saved as files → one run, as if collected.

Each file holds one response exactly as the platform returns it (Mastodon: an account, a
statuses array, a status context; Bluesky: getProfile, getAuthorFeed, getPostThread; feed:
the XML document). Its kind is recognised from its content by the collector's `detect`; a
file that is unrecognised, broken or that its collector cannot normalise is refused with its
name and the reason, and the others still load. Files go through the collector's
`normalize` and `closer.store` like a collection, are archived like one (so `closer reread`
works), and an account not registered yet is added to the institution.

Snapshot time: a file carries no response date, so its counts are dated by `recorded_at`
(given) or else the file's modification time. Importing the same files again is the same
run (its id is derived from the platform, the accounts and the files' contents): it
replaces that run's rows and never double counts. docs/export.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from closer import config, db, registry, runs, store
from closer.pseudonym import Pseudonymiser
from monitor import archive, collector_for
from monitor.base import AccountRef, Collector, RawDoc

log = logging.getLogger(__name__)


class ImportRefused(ValueError):
    """Nothing could be imported; the message says why, file by file."""


@dataclass
class SourceFile:
    """One file accepted for import."""

    path: Path
    kind: str
    body: Any
    digest: str
    recorded_at: dt.datetime
    handle: str | None = None
    platform_account_id: str | None = None


@dataclass
class ImportResult:
    run_id: str | None
    status: str
    accounts: list[str] = field(default_factory=list)
    files: int = 0
    posts: int = 0
    comments: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    replaced: bool = False  # the same files had been imported before: that run was replaced


def read_document(path: Path) -> Any:
    """A file's content: parsed JSON, or text (an XML feed). Raises ValueError with the reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read ({exc.strerror or exc})") from None
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not head:
        raise ValueError("empty file")
    if head in (b"{", b"["):
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text ({exc})") from None
        except ValueError as exc:
            raise ValueError(f"broken JSON ({exc})") from None
    if head == b"<":
        from monitor.feed import decode

        return decode(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("neither JSON nor XML (binary content)") from None


def mastodon_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
    """'@user@instance' of a Mastodon account object or of the main author of a statuses array."""
    acct: dict[str, Any] | None = None
    if kind == "account" and isinstance(body, dict):
        acct = body
    elif kind == "statuses" and isinstance(body, list):
        seen = Counter(
            str((s.get("account") or {}).get("url") or "") for s in body if isinstance(s, dict)
        )
        seen.pop("", None)
        if seen:
            top = seen.most_common(1)[0][0]
            acct = next(s["account"] for s in body if (s.get("account") or {}).get("url") == top)
    if not acct or not acct.get("acct"):
        return None, None
    name = str(acct["acct"])
    if "@" not in name:
        host = urlsplit(str(acct.get("url") or "")).netloc
        if not host:
            return None, None
        name = f"{name}@{host}"
    return f"@{name}", None


def account_hint(cls: type[Collector], kind: str, body: Any) -> tuple[str | None, str | None]:
    """(handle, platform account id) a document names, through the collector's import_handle."""
    hook = getattr(cls, "import_handle", None)
    if hook is not None:
        return hook(kind, body)
    if cls.platform == "mastodon":
        return mastodon_handle(kind, body)
    return None, None


def _same_feed(a: str, b: str) -> bool:
    def key(u: str) -> str:
        p = urlsplit(u.strip())
        return (
            p.netloc.lower().removeprefix("www.")
            + p.path.rstrip("/")
            + (f"?{p.query}" if p.query else "")
        )

    return key(a) == key(b)


def _file_time(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(microsecond=0)


def load_files(
    platform: str, paths: list[str | Path], recorded_at: dt.datetime | None = None
) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Read and recognise each file: (accepted files, [(file, reason)] refused)."""
    cls = collector_for(platform)
    accepted: list[SourceFile] = []
    refused: list[tuple[str, str]] = []
    digests: set[str] = set()
    for p in paths:
        path = Path(p)
        try:
            body = read_document(path)
            kind = cls.detect(body)
        except ValueError as exc:  # broken JSON/XML, unreadable: the collector says why
            refused.append((str(path), str(exc)))
            continue
        if kind is None:
            refused.append(
                (str(path), f"not a raw {platform} API response this importer recognises")
            )
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in digests:
            refused.append((str(path), "same content as another file of this import"))
            continue
        digests.add(digest)
        when = recorded_at or _file_time(path)
        handle, pid = account_hint(cls, kind, body)
        accepted.append(SourceFile(path, kind, body, digest, when, handle, pid))
    return accepted, refused


def _resolve(con, platform: str, handle: str | None, pid: str | None) -> tuple[str, str] | None:
    """(account_id, handle) of the registered account a hint names, else of the one to add."""
    rows = con.execute(
        "SELECT account_id, institution_id, handle, platform_account_id FROM accounts"
        " WHERE platform = ?",
        [platform],
    ).fetchall()
    for account_id, _inst, h, known_pid in rows:
        if pid and known_pid and str(known_pid) == str(pid):
            return account_id, h
        if handle and (
            account_id == registry.account_id(platform, handle)
            or (platform == "feed" and _same_feed(h, handle))
        ):
            return account_id, h
    if handle:
        return registry.account_id(platform, handle), handle
    return None


def _run_id(platform: str, groups: dict[str, list[SourceFile]]) -> str:
    h = hashlib.sha256(platform.encode())
    for account_id in sorted(groups):
        h.update(account_id.encode())
        for f in sorted(groups[account_id], key=lambda f: f.digest):
            h.update(f.digest.encode())
    return f"import-{h.hexdigest()[:20]}"


def import_files(
    db_path: str | Path | None,
    platform: str,
    institution: str,
    paths: list[str | Path],
    *,
    handle: str | None = None,
    recorded_at: dt.datetime | None = None,
) -> ImportResult:
    """Store the files' documents as one import run; raises ImportRefused if none can be used."""
    cls = collector_for(platform)
    dbp = config.db_path(db_path)
    pseudonymise = Pseudonymiser()
    if handle and platform == "mastodon" and handle.strip().lstrip("@").count("@") != 1:
        raise ImportRefused(f"--handle {handle!r} is not @user@instance")
    if recorded_at is not None and recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=dt.UTC)
    files, refused = load_files(platform, paths, recorded_at)

    with db.connect(dbp) as con:
        if (
            con.execute(
                "SELECT 1 FROM institutions WHERE institution_id = ?", [institution]
            ).fetchone()
            is None
        ):
            raise ImportRefused(
                f"unknown institution {institution!r} (load it with `closer registry load`)"
            )
        # Which account each file belongs to.
        targets: dict[str, str] = {}  # account_id -> handle
        owner: dict[int, str] = {}
        if handle:
            account_id, known_handle = _resolve(con, platform, handle, None) or (None, handle)
            targets[account_id] = known_handle
            owner = {i: account_id for i in range(len(files))}
        else:
            for i, f in enumerate(files):
                hit = _resolve(con, platform, f.handle, f.platform_account_id)
                if hit:
                    targets.setdefault(hit[0], hit[1])
                    owner[i] = hit[0]
            unnamed = [i for i in range(len(files)) if i not in owner]
            if len(targets) == 1:
                only = next(iter(targets))
                owner.update({i: only for i in unnamed})
            else:
                why = (
                    "cannot tell which account it belongs to; name it with --handle"
                    if not targets
                    else f"cannot tell which of the accounts {', '.join(sorted(targets))} it"
                    " belongs to; import it alone with --handle"
                )
                refused += [(str(files[i].path), why) for i in unnamed]
        registered = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "SELECT account_id, institution_id, platform_account_id FROM accounts"
                " WHERE platform = ?",
                [platform],
            ).fetchall()
        }
    for account_id in list(targets):
        inst = registered.get(account_id, (institution, None))[0]
        if inst != institution:
            refused += [
                (
                    str(files[i].path),
                    f"account {account_id} belongs to institution {inst}, not {institution}",
                )
                for i, a in owner.items()
                if a == account_id
            ]
            owner = {i: a for i, a in owner.items() if a != account_id}
            del targets[account_id]

    def ref_of(account_id: str) -> AccountRef:
        known_pid = registered.get(account_id, (None, None))[1]
        return AccountRef(account_id, institution, platform, targets[account_id], None, known_pid)

    # Normalise each file alone first, so a file its collector cannot read is refused by name.
    groups: dict[str, list[SourceFile]] = {}
    for i, account_id in sorted(owner.items()):
        f = files[i]
        ref = ref_of(account_id)
        try:
            cls.normalize(ref, [_doc(f)], pseudonymise)
        except Exception as exc:  # noqa: BLE001 - any failure refuses that file, by name
            refused.append(
                (
                    str(f.path),
                    (
                        f"{f.kind} document its collector cannot read"
                        f" ({exc.__class__.__name__}: {exc})"
                    ),
                )
            )
            continue
        groups.setdefault(account_id, []).append(f)
    if not groups:
        reasons = "\n".join(f"{name}: {why}" for name, why in refused) or "no files given"
        raise ImportRefused(f"nothing imported:\n{reasons}")

    batches = []
    for account_id, group in list(groups.items()):
        ref = ref_of(account_id)
        docs = [_doc(f) for f in group]
        try:
            batches.append((ref, docs, cls.normalize(ref, docs, pseudonymise)))
        except Exception as exc:  # noqa: BLE001 - each file reads alone, not together
            why = (
                f"its collector cannot read these files together ({exc.__class__.__name__}: {exc})"
            )
            refused += [(str(f.path), why) for f in group]
            del groups[account_id]
    if not groups:
        reasons = "\n".join(f"{name}: {why}" for name, why in refused)
        raise ImportRefused(f"nothing imported:\n{reasons}")

    run_id = _run_id(platform, groups)
    run_dir = config.archive_dir(dbp) / run_id
    result = ImportResult(
        run_id=run_id, status="running", refused=refused, files=sum(len(g) for g in groups.values())
    )

    if run_dir.exists():
        shutil.rmtree(run_dir)
    for ref, docs, _ in batches:
        writer = archive.ArchiveWriter(run_dir, platform, ref.account_id)
        for d in docs:
            writer(d)

    params = {
        "platform": platform,
        "institution": institution,
        "files": [
            {"name": f.path.name, "kind": f.kind, "sha256": f.digest}
            for g in groups.values()
            for f in g
        ],
        "recorded_at": recorded_at.isoformat() if recorded_at else "file modification time",
    }
    with db.connect(dbp) as con:
        with db.transaction(con):
            if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
                result.replaced = True
                store.forget_run_rows(con, run_id)
                for table in ("runs", "run_accounts", "run_errors"):
                    con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
            for ref, _, _ in batches:
                if ref.account_id not in registered:
                    registry.add_account(con, institution, platform, ref.handle)
            runs.start(con, "import", params, archive_path=str(run_dir), run_id=run_id)
        for name, why in refused:
            runs.record_error(con, run_id, None, platform, "import", f"{name}: {why}")
        for ref, docs, batch in batches:
            try:
                counts = store.save_batch(con, run_id, platform, ref.account_id, batch)
            except Exception as exc:
                log.exception("storing %s failed", ref.account_id)
                runs.record_error(
                    con,
                    run_id,
                    ref.account_id,
                    platform,
                    "store",
                    f"{exc.__class__.__name__}: {exc}",
                )
                runs.record_account(con, run_id, ref.account_id, "failed")
                continue
            runs.record_account(
                con, run_id, ref.account_id, "ok", counts["posts"], counts["comments"]
            )
            result.accounts.append(ref.account_id)
            result.posts += counts["posts"]
            result.comments += counts["comments"]
        result.status = runs.finish(con, run_id)
    return result


def _doc(f: SourceFile) -> RawDoc:
    return RawDoc(
        f.kind,
        f"file:{f.path.name}",
        f.recorded_at,
        200,
        f.body,
        {"file": f.path.name, "sha256": f.digest},
    )
