"""The registry: institutions, their accounts, monitoring rounds; loaded from CSV.

A file is checked whole before anything is written: one bad row refuses the file with
`file:line: field: reason`, and nothing from that file is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from closer.db import transaction
from monitor.base import AccountRef

PLATFORMS = ("mastodon", "bluesky", "feed", "youtube", "facebook", "instagram", "x")
INSTITUTION_TYPES = ("city_hall", "county_council", "prefecture", "public_service", "agency")

KINDS = {
    "institutions": ("institution_id", "name", "type", "region", "locality", "country"),
    "accounts": ("institution_id", "platform", "handle", "url"),
    "rounds": ("round_id", "name", "starts_on", "ends_on"),
}
REQUIRED = {
    "institutions": ("institution_id", "name", "type", "region", "country"),
    "accounts": ("institution_id", "platform", "handle"),
    "rounds": ("round_id", "name", "starts_on", "ends_on"),
}


@dataclass
class RowError:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


class RegistryError(ValueError):
    """A registry file was refused; `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def account_id(platform: str, handle: str) -> str:
    """The stable id of an account: '<platform>:<normalised handle>'."""
    return f"{platform}:{normalize_handle(platform, handle)}"


def normalize_handle(platform: str, handle: str) -> str:
    h = handle.strip()
    if platform in ("mastodon", "bluesky", "x", "instagram"):
        h = h.lstrip("@").lower()
    elif platform == "feed":
        return h
    return h


def detect_kind(header: list[str]) -> str | None:
    cols = set(header)
    if {"platform", "handle"} <= cols:
        return "accounts"
    if {"starts_on", "ends_on"} <= cols:
        return "rounds"
    if {"name", "type"} <= cols or "region" in cols:
        return "institutions"
    return None


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for row in reader:
        # csv line numbers: header is line 1; reader.line_num is the last physical line read
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    return header, rows


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def validate(path: Path, kind: str, header: list[str], rows, known_institutions: set[str]) -> list[RowError]:
    name = str(path)
    errors: list[RowError] = []
    for col in REQUIRED[kind]:
        if col not in header:
            errors.append(RowError(name, 1, col, "missing column"))
    if errors:
        return errors
    seen: dict[object, int] = {}
    for line, row in rows:
        for col in REQUIRED[kind]:
            if not row.get(col):
                errors.append(RowError(name, line, col, "empty"))
        if kind == "institutions":
            key = row.get("institution_id")
            c = row.get("country", "")
            if c and (len(c) != 2 or not c.isalpha()):
                errors.append(RowError(name, line, "country", f"{c!r} is not a two-letter ISO 3166 code"))
        elif kind == "accounts":
            p = row.get("platform", "")
            if p and p not in PLATFORMS:
                errors.append(RowError(name, line, "platform", f"unknown platform {p!r} (known: {', '.join(PLATFORMS)})"))
            inst = row.get("institution_id")
            if inst and inst not in known_institutions:
                errors.append(RowError(name, line, "institution_id", f"unknown institution {inst!r}"))
            h = row.get("handle", "")
            if p == "mastodon" and h and h.lstrip("@").count("@") != 1:
                errors.append(RowError(name, line, "handle", f"{h!r} is not @user@instance"))
            key = (p, normalize_handle(p, h)) if p and h else None
        else:
            key = row.get("round_id")
            dates = {}
            for col in ("starts_on", "ends_on"):
                if row.get(col):
                    try:
                        dates[col] = _date(row[col])
                    except ValueError:
                        errors.append(RowError(name, line, col, f"{row[col]!r} is not a date (YYYY-MM-DD)"))
            if len(dates) == 2 and dates["ends_on"] < dates["starts_on"]:
                errors.append(RowError(name, line, "ends_on", "before starts_on"))
        if key:
            if key in seen:
                field = "handle" if kind == "accounts" else f"{kind[:-1]}_id"
                errors.append(RowError(name, line, field, f"duplicate of line {seen[key]}"))
            else:
                seen[key] = line
    return errors


def load_files(con: duckdb.DuckDBPyConnection, paths: list[str | Path]) -> dict[str, int]:
    """Load registry CSVs (institutions before accounts); returns rows per file.

    Each file is all-or-nothing. Raises RegistryError listing every bad row of the first
    refused file, after loading the files before it.
    """
    parsed = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise RegistryError([RowError(str(path), 0, "file", "not found")])
        header, rows = _read_csv(path)
        kind = detect_kind(header)
        if kind is None:
            raise RegistryError([RowError(str(path), 1, "header", f"not an institutions, accounts or rounds file (columns: {', '.join(header)})")])
        parsed.append((path, kind, header, rows))
    order = {"institutions": 0, "rounds": 1, "accounts": 2}
    parsed.sort(key=lambda x: order[x[1]])
    loaded: dict[str, int] = {}
    for path, kind, header, rows in parsed:
        known = {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
        errors = validate(path, kind, header, rows, known)
        if errors:
            raise RegistryError(errors)
        with transaction(con):
            for _, row in rows:
                _upsert(con, kind, row)
        loaded[str(path)] = len(rows)
    return loaded


def _upsert(con: duckdb.DuckDBPyConnection, kind: str, row: dict[str, str]) -> None:
    if kind == "institutions":
        con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, locality, country) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (institution_id) DO UPDATE SET name = excluded.name, type = excluded.type,"
            " region = excluded.region, locality = excluded.locality, country = excluded.country,"
            " updated_at = CASE WHEN (institutions.name, institutions.type, institutions.region, institutions.locality, institutions.country)"
            " IS DISTINCT FROM (excluded.name, excluded.type, excluded.region, excluded.locality, excluded.country)"
            " THEN get_current_timestamp() ELSE institutions.updated_at END",
            [row["institution_id"], row["name"], row["type"], row["region"], row.get("locality") or None, row["country"].upper()],
        )
    elif kind == "rounds":
        con.execute(
            "INSERT INTO rounds VALUES (?, ?, ?, ?) ON CONFLICT (round_id) DO UPDATE SET"
            " name = excluded.name, starts_on = excluded.starts_on, ends_on = excluded.ends_on",
            [row["round_id"], row["name"], _date(row["starts_on"]), _date(row["ends_on"])],
        )
    else:
        add_account(con, row["institution_id"], row["platform"], row["handle"], row.get("url") or None)


def add_account(con: duckdb.DuckDBPyConnection, institution_id: str, platform: str, handle: str, url: str | None = None) -> str:
    """Register (or update) an account; returns its account_id."""
    aid = account_id(platform, handle)
    con.execute(
        "INSERT INTO accounts (account_id, institution_id, platform, handle, url) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (account_id) DO UPDATE SET institution_id = excluded.institution_id,"
        " url = coalesce(excluded.url, accounts.url), handle = excluded.handle",
        [aid, institution_id, platform, handle.strip(), url],
    )
    return aid


def accounts(con: duckdb.DuckDBPyConnection, platform: str | None = None, institution: str | None = None) -> list[AccountRef]:
    """Registered accounts, optionally of one platform and/or institution."""
    sql = "SELECT account_id, institution_id, platform, handle, url, platform_account_id FROM accounts WHERE 1=1"
    args: list[str] = []
    if platform:
        sql += " AND platform = ?"
        args.append(platform)
    if institution:
        sql += " AND institution_id = ?"
        args.append(institution)
    sql += " ORDER BY institution_id, platform, handle"
    return [AccountRef(*r) for r in con.execute(sql, args).fetchall()]
