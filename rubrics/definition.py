"""Rubric definitions: load and validate `<rubric_id>_v<N>.yaml`, register versions.

A definition is data (docs/rubric.md). Registering a version stores its canonical JSON
in rubric_versions; once a version has submissions its content may not change: a
changed file with the same id and version is refused (`RubricImmutable`), and each
submission keeps the version it was made with.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from closer.db import transaction
from rubrics.figures import FIGURES

log = logging.getLogger(__name__)

DEFAULT_RUBRIC_ID = "monitoring"
LEVELS = (0, 1, 2, 3, 4)
PERSPECTIVES = ("insider", "outsider", "both")
_FILE_RE = re.compile(r"^([a-z][a-z0-9_]*)_v(\d+)\.ya?ml$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class RubricError(ValueError):
    """A definition was refused; `errors` lists every problem as 'file: where: reason'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class RubricImmutable(RubricError):
    """A version with submissions was changed in place (make a new version instead)."""


@dataclass(frozen=True)
class Criterion:
    criterion_id: str
    section_id: str
    title: str
    perspective: str  # insider, outsider, both
    guidance: str
    evidence_required: bool
    levels: tuple[str, ...]  # descriptors of scores 0..4
    figures: tuple[str, ...] = ()

    def applies_to(self, perspective: str) -> bool:
        """True when raters of `perspective` (insider/outsider) score this criterion."""
        return self.perspective in ("both", perspective)


@dataclass(frozen=True)
class Section:
    section_id: str
    title: str
    source: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Rubric:
    rubric_id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for s in self.sections for c in s.criteria]

    def criterion(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria:
            if c.criterion_id == criterion_id:
                return c
        return None

    def criteria_for(self, perspective: str) -> list[Criterion]:
        """The criteria raters of this perspective score, in rubric order."""
        return [c for c in self.criteria if c.applies_to(perspective)]

    @property
    def key(self) -> str:
        return f"{self.rubric_id} v{self.version}"


# --- parsing and validation ------------------------------------------------------------


def parse(data: Any, source: str = "<definition>") -> Rubric:
    """A validated Rubric from the YAML's data; RubricError listing every problem."""
    errors: list[str] = []

    def err(where: str, reason: str) -> None:
        errors.append(f"{source}: {where}: {reason}")

    def text(d: dict, key: str, where: str, required: bool = True) -> str:
        v = d.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                err(f"{where}.{key}" if where else key, "missing")
            return ""
        if not isinstance(v, str):
            err(f"{where}.{key}" if where else key, f"must be text, not {type(v).__name__}")
            return ""
        return " ".join(v.split())

    if not isinstance(data, dict):
        raise RubricError(
            [f"{source}: the file must be a mapping with rubric_id, version, sections"]
        )
    rubric_id = text(data, "rubric_id", "")
    if rubric_id and not _ID_RE.match(rubric_id):
        err("rubric_id", "lower-case letters, digits and _ only, starting with a letter")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        err("version", f"must be a whole number from 1, not {version!r}")
        version = 0
    title = text(data, "title", "")
    description = text(data, "description", "", required=False)
    sections_data = data.get("sections")
    sections: list[Section] = []
    seen_sections: set[str] = set()
    seen_criteria: set[str] = set()
    if not isinstance(sections_data, list) or not sections_data:
        err("sections", "must be a non-empty list")
        sections_data = []
    for si, sd in enumerate(sections_data):
        sw = f"sections[{si}]"
        if not isinstance(sd, dict):
            err(sw, "must be a mapping")
            continue
        section_id = text(sd, "section_id", sw)
        if section_id:
            sw = f"sections[{si}] ({section_id})"
            if not _ID_RE.match(section_id):
                err(sw, "section_id: lower-case letters, digits and _ only")
            if section_id in seen_sections:
                err(sw, "section_id: used twice")
            seen_sections.add(section_id)
        criteria: list[Criterion] = []
        cdata = sd.get("criteria")
        if not isinstance(cdata, list) or not cdata:
            err(f"{sw}.criteria", "must be a non-empty list")
            cdata = []
        for ci, cd in enumerate(cdata):
            cw = f"{sw}.criteria[{ci}]"
            if not isinstance(cd, dict):
                err(cw, "must be a mapping")
                continue
            cid = text(cd, "criterion_id", cw)
            if cid:
                cw = f"{sw}.criteria[{ci}] ({cid})"
                if not _ID_RE.match(cid):
                    err(cw, "criterion_id: lower-case letters, digits and _ only")
                if cid in seen_criteria:
                    err(cw, "criterion_id: used twice in this rubric")
                seen_criteria.add(cid)
            perspective = cd.get("perspective")
            if perspective not in PERSPECTIVES:
                err(
                    f"{cw}.perspective",
                    f"must be one of {', '.join(PERSPECTIVES)}, not {perspective!r}",
                )
            evidence = cd.get("evidence_required")
            if not isinstance(evidence, bool):
                err(f"{cw}.evidence_required", f"must be true or false, not {evidence!r}")
            levels_data = cd.get("levels")
            levels: list[str] = []
            if not isinstance(levels_data, dict):
                err(f"{cw}.levels", "must map each score 0-4 to its descriptor")
            else:
                extra = [k for k in levels_data if k not in LEVELS]
                if extra:
                    err(f"{cw}.levels", f"scores are 0-4; unexpected {extra}")
                for lv in LEVELS:
                    d = levels_data.get(lv)
                    if not isinstance(d, str) or not d.strip():
                        err(f"{cw}.levels", f"score {lv} has no descriptor")
                        levels.append("")
                    else:
                        levels.append(" ".join(d.split()))
            figures = cd.get("figures") or []
            if not isinstance(figures, list) or any(f not in FIGURES for f in figures):
                err(f"{cw}.figures", f"known figures are {', '.join(FIGURES)}; got {figures!r}")
                figures = []
            criteria.append(
                Criterion(
                    criterion_id=cid,
                    section_id=section_id,
                    title=text(cd, "title", cw),
                    perspective=perspective if perspective in PERSPECTIVES else "",
                    guidance=text(cd, "guidance", cw),
                    evidence_required=bool(evidence),
                    levels=tuple(levels),
                    figures=tuple(figures),
                )
            )
        sections.append(
            Section(
                section_id, text(sd, "title", sw), text(sd, "source", sw, False), tuple(criteria)
            )
        )
    if errors:
        raise RubricError(errors)
    return Rubric(rubric_id, version, title, description, tuple(sections))


def load_file(path: str | Path) -> Rubric:
    """Load and validate one `<rubric_id>_v<N>.yaml`; its name must match its content."""
    p = Path(path)
    m = _FILE_RE.match(p.name)
    if not m:
        raise RubricError([f"{p.name}: file name must be <rubric_id>_v<N>.yaml"])
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise RubricError([f"{p.name}: {where}: {getattr(exc, 'problem', exc)}"]) from None
    rubric = parse(data, p.name)
    if (rubric.rubric_id, rubric.version) != (m.group(1), int(m.group(2))):
        raise RubricError(
            [
                (
                    f"{p.name}: rubric_id/version inside ({rubric.rubric_id} v{rubric.version})"
                    " do not match the file name"
                )
            ]
        )
    return rubric


def definitions_dir() -> Path:
    """Where definitions are read: $CLOSER_RUBRICS, else rubrics/definitions in the package."""
    env = os.environ.get("CLOSER_RUBRICS")
    return Path(env) if env else Path(__file__).resolve().parent / "definitions"


def definition_files(directory: str | Path | None = None) -> list[Path]:
    d = Path(directory) if directory else definitions_dir()
    return sorted(p for p in d.iterdir() if _FILE_RE.match(p.name))


def load_all(directory: str | Path | None = None) -> list[Rubric]:
    """Every definition in the directory, validated (RubricError lists all files' problems)."""
    rubrics, errors = [], []
    for p in definition_files(directory):
        try:
            rubrics.append(load_file(p))
        except RubricError as exc:
            errors += exc.errors
    if errors:
        raise RubricError(errors)
    return rubrics


def latest(rubric_id: str = DEFAULT_RUBRIC_ID, directory: str | Path | None = None) -> Rubric:
    """The highest version of `rubric_id` among the definition files."""
    found = [r for r in load_all(directory) if r.rubric_id == rubric_id]
    if not found:
        raise RubricError(
            [f"no definition file for rubric {rubric_id!r} in {directory or definitions_dir()}"]
        )
    return max(found, key=lambda r: r.version)


# --- the registry of versions ----------------------------------------------------------


def to_json(rubric: Rubric) -> str:
    """Canonical JSON of a definition (what is stored and hashed)."""
    d = {
        "rubric_id": rubric.rubric_id,
        "version": rubric.version,
        "title": rubric.title,
        "description": rubric.description,
        "sections": [
            {
                "section_id": s.section_id,
                "title": s.title,
                "source": s.source,
                "criteria": [
                    {
                        "criterion_id": c.criterion_id,
                        "title": c.title,
                        "perspective": c.perspective,
                        "guidance": c.guidance,
                        "evidence_required": c.evidence_required,
                        "levels": {str(i): t for i, t in enumerate(c.levels)},
                        "figures": list(c.figures),
                    }
                    for c in s.criteria
                ],
            }
            for s in rubric.sections
        ],
    }
    return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def from_json(text: str) -> Rubric:
    """The Rubric stored in rubric_versions.definition."""
    d = json.loads(text)
    for s in d["sections"]:
        for c in s["criteria"]:
            c["levels"] = {int(k): v for k, v in c["levels"].items()}
    return parse(d, f"stored {d.get('rubric_id')} v{d.get('version')}")


def register(
    con: duckdb.DuckDBPyConnection,
    rubric: Rubric,
    source_file: str | None = None,
    *,
    in_transaction: bool = False,
) -> str:
    """Store a version: 'new', 'unchanged', or 'updated' (only while it has no submissions).

    Raises RubricImmutable when the stored version has submissions and differs. Opens its
    own transaction unless the caller says it holds one (`in_transaction=True`).
    """
    if not in_transaction:
        with transaction(con):
            return register(con, rubric, source_file, in_transaction=True)
    body = to_json(rubric)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    row = con.execute(
        "SELECT content_sha256 FROM rubric_versions WHERE rubric_id = ? AND version = ?",
        [rubric.rubric_id, rubric.version],
    ).fetchone()
    if row and row[0] == digest:
        return "unchanged"
    if row:
        used = con.execute(
            "SELECT count(*) FROM rubric_submissions WHERE rubric_id = ? AND rubric_version = ?",
            [rubric.rubric_id, rubric.version],
        ).fetchone()[0]
        if used:
            raise RubricImmutable(
                [
                    (
                        f"{source_file or rubric.key}: {rubric.key} has {used} submission(s) and "
                        f"its definition changed; versions in use are immutable: save the change "
                        f"as {rubric.rubric_id}_v{rubric.version + 1}.yaml"
                    )
                ]
            )
    for table in ("rubric_criteria", "rubric_versions"):
        con.execute(
            f"DELETE FROM {table} WHERE rubric_id = ? AND version = ?",
            [rubric.rubric_id, rubric.version],
        )
    con.execute(
        "INSERT INTO rubric_versions (rubric_id, version, title, definition, content_sha256,"
        " source_file) VALUES (?, ?, ?, ?, ?, ?)",
        [rubric.rubric_id, rubric.version, rubric.title, body, digest, source_file],
    )
    con.execute(
        "INSERT INTO rubric_criteria VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(rubric.criteria)),
        [
            v
            for i, c in enumerate(rubric.criteria, start=1)
            for v in (
                rubric.rubric_id,
                rubric.version,
                c.criterion_id,
                c.section_id,
                i,
                c.perspective,
                c.evidence_required,
                c.title,
            )
        ],
    )
    log.info("rubric %s registered (%s)", rubric.key, "updated" if row else "new")
    return "updated" if row else "new"


def register_all(
    con: duckdb.DuckDBPyConnection, directory: str | Path | None = None
) -> dict[str, str]:
    """Register every definition file; {'<id> v<N>': 'new'|'unchanged'|'updated'}.

    All or nothing: one invalid or immutable-changed file refuses the lot.
    """
    d = Path(directory) if directory else definitions_dir()
    rubrics = [(load_file(p), p.name) for p in definition_files(d)]
    out: dict[str, str] = {}
    with transaction(con):
        for r, name in rubrics:
            out[r.key] = register(con, r, name, in_transaction=True)
    return out


def stored(con: duckdb.DuckDBPyConnection, rubric_id: str, version: int) -> Rubric | None:
    """The definition a version was registered with (what its submissions were made with)."""
    row = con.execute(
        "SELECT definition FROM rubric_versions WHERE rubric_id = ? AND version = ?",
        [rubric_id, version],
    ).fetchone()
    return from_json(row[0]) if row else None


def current(rubric_id: str = DEFAULT_RUBRIC_ID, directory: str | Path | None = None) -> Rubric:
    """The version new submissions use: the latest definition file (registered when used)."""
    return latest(rubric_id, directory)
