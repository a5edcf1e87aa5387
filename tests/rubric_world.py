"""A small world for the users and rubric tests: 3 institutions, 2 rounds, one user per
role plus extra raters, and a 4-criterion rubric small enough to compute results by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from closer import auth, db, registry

INSTITUTIONS = """institution_id,name,type,region,locality,country
I1,Primăria Unu,city_hall,Județul A,Unu,RO
I2,Consiliul Județean Doi,county_council,Județul A,Doi,RO
I3,Prefectura Trei,prefecture,Județul B,Trei,RO
"""
ACCOUNTS = """institution_id,platform,handle,url
I1,mastodon,@unu@social.unu.example,https://social.unu.example/@unu
I2,mastodon,@doi@social.doi.example,https://social.doi.example/@doi
"""
ROUNDS = """round_id,name,starts_on,ends_on
r1,Baseline,2026-05-01,2026-06-30
r2,Endline,2026-09-01,2026-11-15
"""

TINY_RUBRIC = """
rubric_id: monitoring
version: 1
title: Tiny test rubric
description: Four criteria, two sections.
sections:
  - section_id: s1
    title: Section one
    source: test
    criteria:
      - criterion_id: c_both
        title: Both views
        perspective: both
        evidence_required: false
        guidance: Scored by insiders and outsiders.
        figures: [posts_per_day, response_rate]
        levels: {0: none, 1: little, 2: some, 3: much, 4: all}
      - criterion_id: c_ev
        title: Evidence needed
        perspective: both
        evidence_required: true
        guidance: Give a link.
        levels: {0: none, 1: little, 2: some, 3: much, 4: all}
  - section_id: s2
    title: Section two
    criteria:
      - criterion_id: c_in
        title: Insiders only
        perspective: insider
        evidence_required: false
        guidance: Internal matter.
        levels: {0: none, 1: little, 2: some, 3: much, 4: all}
      - criterion_id: c_out
        title: Outsiders only
        perspective: outsider
        evidence_required: false
        guidance: Seen from outside.
        levels: {0: none, 1: little, 2: some, 3: much, 4: all}
"""


def password_of(username: str) -> str:
    return f"pw-{username}-0123456789"


@dataclass
class World:
    db_path: Path
    rubrics_dir: Path
    users: dict[str, auth.User]

    def connect(self, read_only: bool = False):
        return db.connect(self.db_path, read_only=read_only)

    def user(self, username: str) -> auth.User:
        with self.connect() as con:
            u = auth.find_user(con, username)
        assert u is not None
        return u


def make_world(tmp_path: Path, monkeypatch) -> World:
    """Registry, users (admin, facilitator, monitors m1-m3, insiders i1a/i1b of I1 and i2a of
    I2, juror, chair), m1/m2/m3 assigned to I1 and I2 in r1 and r2, the tiny rubric."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    rdir = tmp_path / "rubrics"
    rdir.mkdir()
    (rdir / "monitoring_v1.yaml").write_text(TINY_RUBRIC, encoding="utf-8")
    monkeypatch.setenv("CLOSER_RUBRICS", str(rdir))
    reg = tmp_path / "reg"
    reg.mkdir()
    for name, text in (("institutions", INSTITUTIONS), ("accounts", ACCOUNTS), ("rounds", ROUNDS)):
        (reg / f"{name}.csv").write_text(text, encoding="utf-8")
    p = tmp_path / "world.duckdb"
    users: dict[str, auth.User] = {}
    with db.connect(p) as con:
        registry.load_files(con, sorted(reg.glob("*.csv")))
        op = auth.actor_for_cli(con, None, None)
        admin = auth.add_user(con, op, "admin", roles=["admin"], password=password_of("admin"))
        users["admin"] = admin
        specs = [
            ("facilitator", ["facilitator"], None),
            ("m1", ["monitor"], None),
            ("m2", ["monitor"], None),
            ("m3", ["monitor"], None),
            ("i1a", ["insider"], "I1"),
            ("i1b", ["insider"], "I1"),
            ("i2a", ["insider"], "I2"),
            ("juror", ["juror"], None),
            ("chair", ["chair"], None),
        ]
        for name, roles, inst in specs:
            users[name] = auth.add_user(
                con, admin, name, roles=roles, password=password_of(name), institution_id=inst
            )
        for m in ("m1", "m2", "m3"):
            for inst in ("I1", "I2"):
                for rnd in ("r1", "r2"):
                    auth.assign(con, admin, m, inst, rnd)
    return World(p, rdir, users)


def documented_commands(doc: Path) -> list[list[str]]:
    """The `closer …` command lines in a doc's ```bash blocks, as argv lists (no redirects)."""
    import shlex

    out, in_block = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```bash"
            continue
        if in_block and line.startswith("closer "):
            argv = shlex.split(line.split(" #", 1)[0].split(" < ", 1)[0])
            out.append(argv[1:])
    return out
