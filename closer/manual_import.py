"""`closer import-counts`: counts from CSV files, for what no API gives.

Two kinds of file, recognised from their content:
- counts a volunteer noted by hand: columns `account, date, metric, value, noted_by`
  (source 'manual');
- a platform's own export (source 'export'): Meta Business Suite page series (UTF-16,
  `sep=,`, a title line, `"Date","Primary"`), Meta Business Suite post exports (`Post ID`,
  `Publish time`, …), the older Facebook Insights "Page data" export (`Date`, `Lifetime
  Total Likes`, … and a row of descriptions), YouTube Studio's "Table data" (`Content`,
  `Video title`, … with a `Total` row) and its daily series (`Date`, `Views` …).

Every figure goes to `imported_counts` with its source, file and line. Cumulative account
counts (followers, following, posts_count, views at a date) also go to `account_snapshots`
with source 'manual' or 'export', one import run per date, beside (never over) the API's
rows (source 'api'). A file is checked whole first: one bad row refuses the file with
`file:line: field: reason` and nothing of it is stored. Importing the same file again
replaces what it stored. Metric names and periods: docs/credentials.md, "Imported counts".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from closer import config, db, registry, runs

SNAPSHOT_METRICS = ("followers", "following", "posts_count", "views")
# what a volunteer may write in the metric column → the snapshot column
MANUAL_METRICS = {
    "followers": "followers",
    "subscribers": "followers",
    "following": "following",
    "posts_count": "posts_count",
    "posts": "posts_count",
    "videos": "posts_count",
    "views": "views",
}
MANUAL_COLUMNS = ("account", "date", "metric", "value", "noted_by")
_RANGE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})[ _]+(\d{4}-\d{2}-\d{2})")
_GROUPED = re.compile(r"^\d{1,3}([ ,.\u00a0\u202f']\d{3})+$")


class CountsRefused(ValueError):
    """The file was refused; `errors` lists every problem as file:line: field: reason."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Figure:
    """One figure read from a file."""

    account_id: str
    metric: str
    period: str  # total, day, week, days_28, range
    on_date: dt.date
    value: float | None
    line: int
    post_id: str = ""
    range_start: dt.date | None = None
    noted_by: str | None = None
    at: dt.datetime | None = None  # manual counts given with a time


@dataclass
class CountsResult:
    file: str
    file_format: str
    source: str
    runs: list[str] = field(default_factory=list)
    figures: int = 0
    snapshots: int = 0
    accounts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replaced: bool = False


# ------------------------------------------------------------------------- reading


def read_text(path: Path) -> str:
    """The file's text: UTF-16 (Meta exports, with BOM), UTF-8 with or without BOM."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CountsRefused(
            [f"{path}:0: file: not UTF-8 or UTF-16 text ({exc.reason} at byte {exc.start})"]
        ) from None


def _rows(text: str, delimiter: str | None = None) -> list[list[str]]:
    if delimiter is None:
        first = next(
            (ln for ln in text.splitlines() if ln.strip() and not ln.lower().startswith("sep=")), ""
        )
        delimiter = ";" if first.count(";") > first.count(",") else ","
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def slug(title: str) -> str:
    """A column title as a metric name: 'Watch time (hours)' → 'watch_time_hours'."""
    t = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def parse_count(value: str) -> float | None:
    """'1234', '1 234', '1,234' (groups of three) → 1234; '' → None; '12.5' → 12.5.

    Raises ValueError for anything else (a percent sign, '1.2K', text)."""
    v = value.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if v in ("", "-", "--", "—"):
        return None
    if re.fullmatch(r"\d+", v):
        return float(v)
    if _GROUPED.match(v):
        return float(re.sub(r"\D", "", v))
    if re.fullmatch(r"\d+\.\d+", v):
        return float(v)
    raise ValueError(f"{value!r} is not a number")


def parse_date(value: str) -> tuple[dt.date, dt.datetime | None]:
    """ISO date or datetime, DD.MM.YYYY, or Studio's 'Jan 6, 2024' → (date, datetime or None)."""
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", v)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))), None
    for fmt in ("%b %d, %Y", "%b %d %Y"):
        try:
            return dt.datetime.strptime(v, fmt).date(), None
        except ValueError:
            pass
    try:
        d = dt.datetime.fromisoformat(v)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if len(v) <= 10:
        return d.date(), None
    return d.date(), (d if d.tzinfo else d.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def parse_us_date(value: str) -> dt.date:
    """Facebook's older exports: '2016-09-29' or '9/29/16' / '9/29/2016' (month first)."""
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", v)
    if m:
        year = int(m.group(3))
        return dt.date(year + 2000 if year < 100 else year, int(m.group(1)), int(m.group(2)))
    return parse_date(v)[0]


# --------------------------------------------------------------- account matching


def _accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None, str | None]]:
    return con.execute(
        "SELECT account_id, platform, handle, url, platform_account_id FROM accounts"
    ).fetchall()


def resolve_account(con: duckdb.DuckDBPyConnection, text: str) -> str | None:
    """A registered account from its id ('facebook:primaria'), 'platform:handle', handle or URL."""
    t = text.strip()
    rows = _accounts(con)
    ids = {r[0] for r in rows}
    if t in ids:
        return t
    if ":" in t and not t.startswith("http"):
        platform, _, handle = t.partition(":")
        if platform in registry.PLATFORMS:
            aid = registry.account_id(platform, handle)
            if aid in ids:
                return aid
    low = t.lower().rstrip("/")
    hits = {
        r[0]
        for r in rows
        if low
        in {
            str(r[2]).lower().rstrip("/"),
            str(r[2]).lower().lstrip("@"),
            str(r[3] or "").lower().rstrip("/"),
        }
    }
    return hits.pop() if len(hits) == 1 else None


# ----------------------------------------------------------------- file formats


def detect_format(rows: list[list[str]]) -> str | None:
    """Which kind of counts file this is, from its first lines."""
    body = [r for r in rows if any(r)]
    if not body:
        return None
    head = [c.lower() for c in body[0]]
    if head and head[0].startswith("sep="):
        body = body[1:]
        head = [c.lower() for c in body[0]] if body else []
    if set(MANUAL_COLUMNS) <= set(head):
        return "manual_counts"
    if (
        len(body) >= 2
        and len([c for c in body[0] if c]) == 1
        and [c.lower() for c in body[1][:1]] == ["date"]
    ):
        return "meta_page_series"
    if "post id" in head and "publish time" in head:
        return "meta_posts"
    if "content" in head and "video title" in head:
        return "youtube_studio_table"
    if head and head[0] == "date":
        if any(h.startswith(("lifetime ", "daily ", "weekly ", "28 days ")) for h in head):
            return "facebook_insights_page"
        return "daily_series"
    return None


def _err(path: Path, line: int, fld: str, reason: str) -> str:
    return f"{path}:{line}: {fld}: {reason}"


def read_manual(
    con: duckdb.DuckDBPyConnection, path: Path, rows: list[list[str]], today: dt.date
) -> tuple[list[Figure], list[str]]:
    header = [h.lower() for h in rows[0]]
    col = {name: header.index(name) for name in MANUAL_COLUMNS}
    errors: list[str] = []
    figures: list[Figure] = []
    seen: dict[tuple[str, dt.date, str], int] = {}
    for n, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        cell = {name: (r[i] if i < len(r) else "") for name, i in col.items()}
        bad = len(errors)
        for name in MANUAL_COLUMNS:
            if not cell[name]:
                errors.append(_err(path, n, name, "empty"))
        if len(errors) > bad:
            continue
        aid = resolve_account(con, cell["account"])
        if aid is None:
            errors.append(
                _err(
                    path,
                    n,
                    "account",
                    f"{cell['account']!r} is not a registered account (closer registry list)",
                )
            )
        try:
            day, at = parse_date(cell["date"])
            if day > today:
                errors.append(_err(path, n, "date", f"{cell['date']} is in the future"))
        except ValueError as exc:
            errors.append(_err(path, n, "date", str(exc)))
            day, at = None, None
        metric = MANUAL_METRICS.get(cell["metric"].strip().lower())
        if metric is None:
            errors.append(
                _err(
                    path,
                    n,
                    "metric",
                    f"{cell['metric']!r} is not one of {', '.join(MANUAL_METRICS)}",
                )
            )
        try:
            value = parse_count(cell["value"])
            if value is None or value != int(value):
                raise ValueError(f"{cell['value']!r} is not a whole number")
        except ValueError as exc:
            errors.append(_err(path, n, "value", str(exc)))
            value = None
        if len(errors) > bad or aid is None or day is None or metric is None:
            continue
        key = (aid, day, metric)
        if key in seen:
            errors.append(
                _err(
                    path,
                    n,
                    "metric",
                    f"{metric} of {aid} on {day} already given on line {seen[key]}",
                )
            )
            continue
        seen[key] = n
        figures.append(
            Figure(aid, metric, "total", day, value, n, noted_by=cell["noted_by"], at=at)
        )
    return figures, errors


_META_NAMES = {
    "follows": "new_follows",
    "unfollows": "unfollows",
    "visits": "visits",
    "profile_visits": "profile_visits",
}


def read_meta_series(
    path: Path, rows: list[list[str]], account: str | None
) -> tuple[list[Figure], list[str], str | None]:
    """Meta Business Suite page series: [sep=,] / "Title" / "Date","Primary" / rows (daily)."""
    body = [(n, r) for n, r in enumerate(rows, start=1) if any(r)]
    if body and body[0][1][0].lower().startswith("sep="):
        body = body[1:]
    title = body[0][1][0]
    name = slug(title)
    platform = None
    for p in ("facebook", "instagram"):
        if name.startswith(p + "_"):
            name, platform = name[len(p) + 1 :], p
    metric = _META_NAMES.get(name, name)
    header = [h.lower() for h in body[1][1]]
    errors: list[str] = []
    if account is None:
        return (
            [],
            [
                _err(
                    path,
                    body[0][0],
                    "account",
                    "this export does not name its page: give --account",
                )
            ],
            platform,
        )
    if "primary" not in header:
        return (
            [],
            [
                _err(
                    path,
                    body[1][0],
                    "header",
                    f"no Primary column (columns: {', '.join(body[1][1])})",
                )
            ],
            platform,
        )
    vi = header.index("primary")
    figures = []
    for n, r in body[2:]:
        try:
            day, _ = parse_date(r[0])
        except ValueError as exc:
            errors.append(_err(path, n, "Date", str(exc)))
            continue
        try:
            value = parse_count(r[vi] if vi < len(r) else "")
        except ValueError as exc:
            errors.append(_err(path, n, "Primary", str(exc)))
            continue
        if value is not None:
            figures.append(Figure(account, metric, "day", day, value, n))
    return figures, errors, platform


_POST_SKIP = {
    "post id",
    "page id",
    "page name",
    "account id",
    "account username",
    "account name",
    "title",
    "description",
    "duration (sec)",
    "publish time",
    "caption type",
    "permalink",
    "is crosspost",
    "is share",
    "post type",
    "languages",
    "custom labels",
    "funded content status",
    "data comment",
    "date",
}


def read_meta_posts(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    rows: list[list[str]],
    account: str | None,
    as_of: dt.date,
) -> tuple[list[Figure], list[str]]:
    """Meta Business Suite post export: one row per post, lifetime figures as of the export."""
    header = rows[0]
    low = [h.lower() for h in header]
    errors: list[str] = []
    figures: list[Figure] = []
    known = {str(r[4]): r[0] for r in _accounts(con) if r[4]}
    for n, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        cell = {h: (r[i] if i < len(r) else "") for i, h in enumerate(low)}
        pid = cell.get("post id", "")
        if not pid.isdigit():
            continue  # a total or summary row
        owner = cell.get("page id") or cell.get("account id") or ""
        aid = account or known.get(owner)
        if aid is None:
            errors.append(
                _err(
                    path,
                    n,
                    "Page ID",
                    f"{owner or '(empty)'} is not a collected account's id: give --account",
                )
            )
            continue
        post_id = f"{owner}_{pid}" if cell.get("page id") else pid
        for i, h in enumerate(low):
            if h in _POST_SKIP or i >= len(r):
                continue
            try:
                value = parse_count(r[i])
            except ValueError as exc:
                errors.append(_err(path, n, header[i], str(exc)))
                continue
            if value is not None:
                figures.append(
                    Figure(aid, slug(header[i]), "total", as_of, value, n, post_id=post_id)
                )
    return figures, errors


_PERIOD_PREFIX = (
    ("lifetime ", "total"),
    ("daily ", "day"),
    ("weekly ", "week"),
    ("28 days ", "days_28"),
)
_INSIGHTS_FOLLOWERS = ("lifetime total followers", "lifetime total follows", "lifetime total likes")


def read_insights_page(
    path: Path, rows: list[list[str]], account: str | None
) -> tuple[list[Figure], list[str]]:
    """Facebook Insights "Page data": titles, a row of descriptions, one row per date."""
    header = rows[0]
    low = [h.lower() for h in header]
    if account is None:
        return [], [_err(path, 1, "account", "this export does not name its page: give --account")]
    followers_col = next((low.index(c) for c in _INSIGHTS_FOLLOWERS if c in low), None)
    errors: list[str] = []
    figures: list[Figure] = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(r) or any(
            c.startswith(("Lifetime:", "Daily:", "Weekly:", "28 Days:")) for c in r
        ):
            continue  # the descriptions row
        try:
            day = parse_us_date(r[0])
        except ValueError as exc:
            errors.append(_err(path, n, "Date", str(exc)))
            continue
        for i, h in enumerate(low):
            if i == 0 or i >= len(r) or " - " in header[i]:
                continue  # breakdown columns (by city, age…) are not counts of the page
            period = next((p for prefix, p in _PERIOD_PREFIX if h.startswith(prefix)), None)
            if period is None:
                continue
            try:
                value = parse_count(r[i])
            except ValueError as exc:
                errors.append(_err(path, n, header[i], str(exc)))
                continue
            if value is None:
                continue
            metric = (
                "followers"
                if i == followers_col
                else slug(h.split(" ", 1)[1] if not h.startswith("28 days ") else h[8:])
            )
            figures.append(Figure(account, metric, period, day, value, n))
    return figures, errors


_STUDIO_SKIP = {
    "content",
    "video title",
    "video publish time",
    "duration",
    "average view duration",
    "date",
}


def read_studio_table(
    path: Path,
    rows: list[list[str]],
    account: str | None,
    as_of: dt.date,
    period: tuple[dt.date | None, dt.date | None],
) -> tuple[list[Figure], list[str]]:
    """YouTube Studio "Table data": per video over the export's date range, and its Total row."""
    header = rows[0]
    low = [h.lower() for h in header]
    if account is None:
        return [], [
            _err(
                path,
                1,
                "account",
                "a YouTube Studio export does not name its channel: give --account",
            )
        ]
    start, end = period
    on = end or as_of
    errors: list[str] = []
    figures: list[Figure] = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        content = r[0].strip()
        post_id = "" if content.lower() == "total" else content
        for i, h in enumerate(low):
            if h in _STUDIO_SKIP or i >= len(r) or "%" in h:
                continue
            try:
                value = parse_count(r[i])
            except ValueError:
                if ":" in r[i]:
                    continue  # a duration (H:MM:SS), not a count
                errors.append(_err(path, n, header[i], f"{r[i]!r} is not a number"))
                continue
            if value is not None:
                metric = {"subscribers": "subscribers_net", "comments added": "comments"}.get(
                    h, slug(header[i])
                )
                figures.append(
                    Figure(
                        account, metric, "range", on, value, n, post_id=post_id, range_start=start
                    )
                )
    return figures, errors


def read_daily_series(
    path: Path, rows: list[list[str]], account: str | None
) -> tuple[list[Figure], list[str]]:
    """`Date, <metric>…` (YouTube Studio "Totals"/"Chart data"): one figure per day and column."""
    header = rows[0]
    low = [h.lower() for h in header]
    if account is None:
        return [], [
            _err(path, 1, "account", "this export does not name its account: give --account")
        ]
    content = low.index("content") if "content" in low else None
    errors: list[str] = []
    figures: list[Figure] = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        try:
            day, _ = parse_date(r[0])
        except ValueError as exc:
            errors.append(_err(path, n, header[0], str(exc)))
            continue
        post_id = r[content].strip() if content is not None and content < len(r) else ""
        for i, h in enumerate(low):
            if i == 0 or h in _STUDIO_SKIP or i >= len(r) or "%" in h:
                continue
            try:
                value = parse_count(r[i])
            except ValueError as exc:
                if ":" in r[i]:
                    continue
                errors.append(_err(path, n, header[i], str(exc)))
                continue
            if value is not None:
                metric = {"subscribers": "subscribers_net"}.get(h, slug(header[i]))
                figures.append(Figure(account, metric, "day", day, value, n, post_id=post_id))
    return figures, errors


# ------------------------------------------------------------------------ storing


def _file_period(
    path: Path, given: tuple[dt.date | None, dt.date | None]
) -> tuple[dt.date | None, dt.date | None]:
    if given != (None, None):
        return given
    m = _RANGE_IN_NAME.search(str(path))
    if m:
        return dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
    return None, None


def import_counts(
    db_path: str | Path | None,
    path: str | Path,
    *,
    account: str | None = None,
    as_of: dt.date | None = None,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
    today: dt.date | None = None,
) -> CountsResult:
    """Check a counts file whole, then store it (replacing an earlier import of the same file).

    account: the account an export belongs to, when the file does not say; as_of: the day
    an export was made (default: the file's modification date); period: an export's date
    range (default: read from the file's path, e.g. 'Content 2024-01-01_2024-12-31').
    Raises CountsRefused (nothing stored) when anything in the file is wrong.
    """
    p = Path(path)
    if not p.is_file():
        raise CountsRefused([f"{p}:0: file: not found"])
    dbp = config.db_path(db_path)
    today = today or dt.datetime.now(dt.UTC).date()
    as_of = as_of or dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC).date()
    text = read_text(p)
    rows = _rows(text)
    fmt = detect_format(rows)
    if fmt is None:
        first = next((r for r in rows if any(r)), [])
        raise CountsRefused(
            [
                (
                    f"{p}:1: header: not a counts file this command knows (columns: "
                    f"{', '.join(first) or 'none'}); see docs/credentials.md"
                )
            ]
        )
    if fmt == "meta_page_series":
        rows = _rows(text, ",")
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    with db.connect(dbp) as con:
        acct = None
        if account:
            acct = resolve_account(con, account)
            if acct is None:
                raise CountsRefused([f"{p}:0: --account: {account!r} is not a registered account"])
        notes: list[str] = []
        if fmt == "manual_counts":
            figures, errors = read_manual(con, p, rows, today)
        elif fmt == "meta_page_series":
            figures, errors, _platform = read_meta_series(p, rows, acct)
        elif fmt == "meta_posts":
            figures, errors = read_meta_posts(con, p, rows, acct, as_of)
        elif fmt == "facebook_insights_page":
            figures, errors = read_insights_page(p, rows, acct)
        elif fmt == "youtube_studio_table":
            rng = _file_period(p, period)
            if rng == (None, None):
                notes.append(
                    f"date range unknown: figures dated {as_of} (the export day); give --period "
                    "START:END"
                )
            figures, errors = read_studio_table(p, rows, acct, as_of, rng)
        else:
            figures, errors = read_daily_series(p, rows, acct)
        if errors:
            raise CountsRefused(errors)
        if not figures:
            raise CountsRefused([f"{p}:1: file: no figures in it"])
        source = "manual" if fmt == "manual_counts" else "export"
        result = CountsResult(str(p), fmt, source, notes=notes)
        _store(con, p, digest, fmt, source, figures, result)
    return result


def _snapshot_groups(figures: list[Figure]) -> dict[dt.date, dict[str, dict[str, Any]]]:
    """Cumulative account figures by date and account: what goes to account_snapshots."""
    out: dict[dt.date, dict[str, dict[str, Any]]] = {}
    for f in figures:
        if f.post_id or f.period != "total" or f.metric not in SNAPSHOT_METRICS:
            continue
        snap = out.setdefault(f.on_date, {}).setdefault(f.account_id, {"snapshot_at": None})
        snap[f.metric] = int(f.value) if f.value is not None else None
        when = f.at or dt.datetime.combine(f.on_date, dt.time(0), dt.UTC)
        snap["snapshot_at"] = min(filter(None, (snap["snapshot_at"], when)))
    return out


def _store(
    con: duckdb.DuckDBPyConnection,
    p: Path,
    digest: str,
    fmt: str,
    source: str,
    figures: list[Figure],
    result: CountsResult,
) -> None:
    base = f"import-counts-{digest}"
    groups = _snapshot_groups(figures)
    # account_snapshots keeps one row per (run, account, source): one run per snapshot date;
    # figures on other dates go to the file's run.
    run_of = {d: f"{base}-{d:%Y%m%d}" for d in groups}

    def run_for(f: Figure) -> str:
        return run_of.get(f.on_date, base)

    used = sorted({run_for(f) for f in figures})
    with db.transaction(con):
        old = [
            r[0]
            for r in con.execute(
                "SELECT run_id FROM runs WHERE run_id = ? OR run_id LIKE ?", [base, base + "-%"]
            ).fetchall()
        ]
        result.replaced = bool(old)
        for rid in old:
            for table in (
                "account_snapshots",
                "imported_counts",
                "run_accounts",
                "run_errors",
                "runs",
            ):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [rid])
        day_of = {r: d for d, r in run_of.items()}
        for rid in used:
            day = day_of.get(rid)
            params = {
                "file": p.name,
                "sha256": digest,
                "format": fmt,
                "source": source,
                "date": day.isoformat() if day else None,
            }
            runs.start(con, "import", params, run_id=rid)
        for f in figures:
            con.execute(
                "INSERT INTO imported_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_for(f),
                    f.account_id,
                    f.post_id,
                    source,
                    fmt,
                    f.metric,
                    f.period,
                    f.on_date,
                    f.range_start,
                    f.value,
                    f.noted_by,
                    str(p),
                    f.line,
                ],
            )
        for day, accounts in groups.items():
            for aid, snap in accounts.items():
                con.execute(
                    "INSERT INTO account_snapshots (run_id, account_id, snapshot_at, followers, "
                    "following, posts_count, views, source)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_of[day],
                        aid,
                        snap["snapshot_at"],
                        snap.get("followers"),
                        snap.get("following"),
                        snap.get("posts_count"),
                        snap.get("views"),
                        source,
                    ],
                )
                result.snapshots += 1
        for rid in used:
            for aid in sorted({f.account_id for f in figures if run_for(f) == rid}):
                runs.record_account(con, rid, aid, "ok")
            runs.finish(con, rid)
    result.runs = used
    result.figures = len(figures)
    result.accounts = sorted({f.account_id for f in figures})
