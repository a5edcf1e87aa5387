"""The jury's database layer: idempotent submits and drafts, every recusal rule, the round
state, practices import errors, chair-only actions, awards, the audit log, the evidence
panel with collected data, the HTML guide, the CLI's other commands and the demo step."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closer import auth, db
from closer.demo_steps import s40_jury
from rubrics.jury import definition, evidence, guide, store
from tests.conftest import SAMPLE
from tests.test_jury_case import PASSWORD, flat, jury_db, run_cli, user  # noqa: F401


def test_submit_is_idempotent_and_drafts_are_not_counted(jury_db):  # noqa: F811
    with db.connect(jury_db) as con:
        ana, bogdan = user(con, "ana"), user(con, "bogdan")
        assert store.save_ballot(con, ana, "acceptance", "P1", {"impact": 6},
                                 submission_id="d1", submit=False) == "saved"
        assert store.save_ballot(con, ana, "acceptance", "P1", {"impact": 6},
                                 submission_id="d1", submit=False) == "duplicate"
        op = auth.LOCAL_OPERATOR
        assert store.results(con, op, "acceptance").results.by_id()["P1"].jurors == 0
        assert store.save_ballot(con, ana, "acceptance", "P1", flat(6), submission_id="s1",
                                 submit=True) == "saved"
        # the same id again (a double click) writes nothing, even with other values
        assert store.save_ballot(con, ana, "acceptance", "P1", flat(2), submission_id="s1",
                                 submit=True) == "duplicate"
        assert store.my_ballots(con, ana, "acceptance")["P1"]["scores"] == {
            "relevance": 6.0, "impact": 6.0, "transferability": 6.0}
        with pytest.raises(store.JuryError, match="already used for another ballot"):
            store.save_ballot(con, ana, "acceptance", "P2", flat(2), submission_id="s1",
                              submit=True)
        with pytest.raises(store.JuryError, match="already submitted; submit again"):
            store.save_ballot(con, ana, "acceptance", "P1", flat(2), submission_id="d2",
                              submit=False)
        assert store.save_ballot(con, ana, "acceptance", "P1", flat(5), submission_id="s2",
                                 submit=True) == "saved"
        with pytest.raises(store.JuryError) as exc:
            store.save_ballot(con, bogdan, "acceptance", "P1", {"relevance": 8, "impact": 2.5,
                              "reach": 3}, submission_id="b1", submit=True)
        assert exc.value.errors == [
            "P1: reach: unknown criterion (criteria: relevance, impact, transferability)",
            "P1: relevance: 8 is not on the scale (1 to 7 in steps of 1)",
            "P1: impact: 2.5 is not on the scale (1 to 7 in steps of 1)"]
        with pytest.raises(auth.PermissionDenied, match="chair is not a juror of acceptance"):
            store.save_ballot(con, user(con, "chair"), "acceptance", "P1", flat(5),
                              submission_id="c1", submit=True)
        audit = con.execute("SELECT action, detail FROM jury_audit WHERE practice_id = 'P1'"
                            " AND action LIKE 'ballot_%' ORDER BY audit_id").fetchall()
    assert [a for a, _ in audit] == ["ballot_draft", "ballot_submitted", "ballot_submitted"]
    last = json.loads(audit[-1][1])
    assert (last["previous_scores"], last["scores"]) == (flat(6), flat(5))


def test_declared_link_conflict_and_same_region_recuse(jury_db, tmp_path):  # noqa: F811
    with db.connect(jury_db) as con:
        ana, bogdan, carmen = user(con, "ana"), user(con, "bogdan"), user(con, "carmen")
        with pytest.raises(auth.PermissionDenied, match="only they themselves or an admin"):
            store.declare_link(con, ana, "bogdan", "CL-SVC")
        assert store.declare_link(con, bogdan, "bogdan", "CL-SVC", "former employee")
        assert not store.declare_link(con, bogdan, "bogdan", "CL-SVC")
        assert store.declare_conflict(con, ana, "acceptance", "P4", "my brother runs it")
        with pytest.raises(auth.PermissionDenied, match="record another juror's conflict"):
            store.declare_conflict(con, ana, "acceptance", "P5", juror="carmen")
        rec = store.recusals(con, "acceptance")
        assert {p: sorted(auth.load_user(con, u).username for u in us)
                for p, us in rec.items()} == {
            "P2": ["dan"], "P3": ["bogdan"], "P4": ["ana"]}
        assert rec["P3"][bogdan.user_id] == ["declared link with CL-SVC: former employee"]
        assert rec["P4"][ana.user_id] == ["declared conflict: my brother runs it"]
        with pytest.raises(store.Recused, match="declared conflict: my brother runs it"):
            store.save_ballot(con, ana, "acceptance", "P4", flat(3), submission_id="a4",
                              submit=True)
        # same region: carmen belongs to AR-CJ (Județul Ariniș): P1 AR-PRIM and P6 AR-PREF
        con.execute("UPDATE users SET institution_id = 'AR-CJ' WHERE user_id = ?",
                    [carmen.user_id])
        assert carmen.user_id not in store.recusals(con, "acceptance").get("P1", {})
    yaml = (tmp_path / "acceptance_v1.yaml").read_text()
    (tmp_path / "acceptance_v2.yaml").write_text(
        yaml.replace("version: 1", "version: 2") + "recusal: {same_region: true}\n")
    with db.connect(jury_db) as con:
        store.register_competition(con, auth.LOCAL_OPERATOR,
                                   definition.load_file(tmp_path / "acceptance_v2.yaml"))
        rec = store.recusals(con, "acceptance")
        assert rec["P1"][carmen.user_id] == [
            "same region as the nominating institution (Județul Ariniș)"]
        assert sorted(p for p, us in rec.items() if carmen.user_id in us) == ["P1", "P6"]


def test_the_round_state_gates_every_change(jury_db, tmp_path):  # noqa: F811
    with db.connect(jury_db) as con:
        ana, chair = user(con, "ana"), user(con, "chair")
        with pytest.raises(store.JuryError, match="still open: close it before you shortlist"):
            store.shortlist(con, chair, "acceptance", ["P1"])
        with pytest.raises(auth.PermissionDenied, match="only the chair of acceptance"):
            store.close_round(con, ana, "acceptance")
        summary = store.close_round(con, chair, "acceptance")
        assert summary == {"ballots_counted": 0, "drafts_not_counted": 0,
                           "ranking": [[None, f"P{i}", None] for i in range(1, 7)],
                           "ties": [], "unresolved_ties": []}
        for call in (
            lambda: store.save_ballot(con, ana, "acceptance", "P1", flat(3),
                                      submission_id="late", submit=True),
            lambda: store.import_practices(con, chair, "acceptance", tmp_path / "practices.csv"),
            lambda: store.declare_conflict(con, ana, "acceptance", "P1"),
            lambda: store.close_round(con, chair, "acceptance"),
        ):
            with pytest.raises(store.JuryError, match="the round of acceptance is closed"):
                call()


def test_practices_file_errors_name_their_lines(jury_db, tmp_path):  # noqa: F811
    f = tmp_path / "bad_practices.csv"
    f.write_text("practice_id,institution_id,title,description,url\n"
                 "P7,XX-NONE,A title,,https://x.example/a\n"
                 "P7,AR-PRIM,,,ftp://x.example/b\n"
                 "P8,CL-PRIM,Fine,,https://x.example/c https://x.example/d\n")
    with db.connect(jury_db) as con:
        with pytest.raises(store.JuryError) as exc:
            store.import_practices(con, auth.LOCAL_OPERATOR, "acceptance", f)
        assert exc.value.errors == [
            f"{f}:2: institution_id: unknown institution 'XX-NONE' (load the registry first)",
            f"{f}:3: title: empty",
            f"{f}:3: practice_id: duplicate of line 2",
            f"{f}:3: url: 'ftp://x.example/b' is not an http(s) link",
        ]
        assert len(store.practices(con, "acceptance")) == 6
        # an insider may nominate only for their own institution
        auth.add_user(con, auth.LOCAL_OPERATOR, "ins", roles=["insider"],
                      institution_id="CL-PRIM")
        g = tmp_path / "p8.csv"
        g.write_text("practice_id,institution_id,title,description,url\n"
                     "P8,CL-PRIM,Fine,,https://x.example/c https://x.example/d\n"
                     "P9,DU-PRIM,Not mine,,\n")
        with pytest.raises(store.JuryError, match=f"{g}:3: institution_id: ins may not "
                                                  "nominate for DU-PRIM"):
            store.import_practices(con, user(con, "ins"), "acceptance", g)
        g.write_text("practice_id,institution_id,title,description,url\n"
                     "P8,CL-PRIM,Fine,,https://x.example/c https://x.example/d\n")
        assert store.import_practices(con, user(con, "ins"), "acceptance", g) == {
            "new": 1, "updated": 0, "unchanged": 0}
        assert store.practices(con, "acceptance")["P8"].links == (
            "https://x.example/c", "https://x.example/d")
        assert store.import_practices(con, user(con, "ins"), "acceptance", g) == {
            "new": 0, "updated": 0, "unchanged": 1}


def test_awards_rules_guide_and_audit(jury_db, tmp_path):  # noqa: F811
    with db.connect(jury_db) as con:
        store.import_scores(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "scores.csv")
        chair = user(con, "chair")
        store.close_round(con, chair, "acceptance")
        assert store.award(con, chair, "acceptance", "P2", place=1,
                           citation="Severity <evened> out") == "1st place"
        with pytest.raises(store.JuryError, match="1st place already goes to P2"):
            store.award(con, chair, "acceptance", "P1", place=1)
        with pytest.raises(store.JuryError, match="awards places 1 to 3"):
            store.award(con, chair, "acceptance", "P1", place=4)
        assert store.award(con, chair, "acceptance", "P1", place=2) == "2nd place"
        assert store.award(con, chair, "acceptance", "P5", mention="courage") == (
            "Special mention: courage")
        store.shortlist(con, chair, "acceptance", ["P3", "P6"], note="guide")
        with pytest.raises(store.JuryError, match="P2 has an award: remove the award first"):
            store.shortlist(con, chair, "acceptance", ["P2"], remove=True)
        assert store.remove_award(con, chair, "acceptance", "P5")
        html = guide.guide_html(con, chair, "acceptance",
                                generated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        view = store.results(con, chair, "acceptance")
        csv_text = store.results_csv(view)
        audit = store.audit_log(con, chair, "acceptance")
    # awarded in place order, then the other shortlisted practices in rank order
    order = [html.index(f"practice P{i}<") for i in (2, 1, 3, 6, 5)]
    assert order == sorted(order)
    assert "Severity &lt;evened&gt; out" in html and "<evened>" not in html
    assert "6 practices nominated, 5 in the guide, 2 awarded" in html
    assert "4.33 (rank 2, 3 jurors)" in html
    assert "Relevance (50%), Impact (25%), Transferability (25%)" in html
    assert csv_text.splitlines()[0] == (
        "practice_id,institution_id,title,raw_score,normalised_score,raw_rank,rank,jurors,"
        "recused,spread,disagreement,tie_break,shortlisted,award,notes")
    assert csv_text.splitlines()[2].startswith(
        "P2,BR-CJ,Practice P2,4.6667,4.3333,4,2,3,1,1.0,False,,True,1st place,")
    actions = [a["action"] for a in audit]
    assert actions[:7] == ["competition_created"] + ["practice_nominated"] * 6
    assert actions[7:] == ["ballot_submitted"] * 23 + [
        "round_closed", "shortlisted", "awarded", "shortlisted", "awarded", "shortlisted",
        "awarded", "shortlisted", "shortlisted", "award_removed"]


def test_audit_hides_ballots_from_a_chair_who_scores_until_closing(jury_db, tmp_path):  # noqa: F811
    yaml = (tmp_path / "acceptance_v1.yaml").read_text()
    (tmp_path / "acceptance_v2.yaml").write_text(
        yaml.replace("version: 1", "version: 2").replace("chair: chair", "chair: ana"))
    with db.connect(jury_db) as con:
        store.register_competition(con, auth.LOCAL_OPERATOR,
                                   definition.load_file(tmp_path / "acceptance_v2.yaml"))
        ana, bogdan = user(con, "ana"), user(con, "bogdan")
        store.save_ballot(con, bogdan, "acceptance", "P1", flat(4), submission_id="b",
                          submit=True)
        store.save_ballot(con, ana, "acceptance", "P1", flat(6), submission_id="a",
                          submit=True)
        rows = [r for r in store.audit_log(con, ana, "acceptance")
                if r["action"] == "ballot_submitted"]
        assert next((r["juror"], r["detail"]) for r in rows) == (
            "bogdan", "(scores hidden until the round is closed)")
        assert json.loads(rows[1]["detail"])["scores"] == flat(6)
        with pytest.raises(auth.PermissionDenied, match="scoring is blind"):
            store.results(con, ana, "acceptance")
        store.close_round(con, ana, "acceptance")
        rows = [r for r in store.audit_log(con, ana, "acceptance")
                if r["action"] == "ballot_submitted"]
        assert json.loads(rows[0]["detail"])["scores"] == flat(4)


def test_evidence_from_collected_data(db_path):
    """AR-PRIM has 4 accounts; one mastodon snapshot of 1,200 followers (a later one, after
    the period, is ignored), 3 original posts in the period (and a reply and an older post
    that do not count), 5 citizen comments (one answers the institution) of which 3 got a
    direct institution reply."""
    from closer import registry

    with db.connect(db_path) as con:
        registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
        acc = "mastodon:primariaarinesti@social.arinesti.example"
        t = dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC)
        for run, when, n in (("r1", t, 1200), ("r2", dt.datetime(2027, 2, 1, tzinfo=dt.UTC), 9999)):
            con.execute("INSERT INTO account_snapshots (run_id, account_id, snapshot_at,"
                        " followers) VALUES (?, ?, ?, ?)", [run, acc, when, n])
        for i, (kind, when) in enumerate([("post", t), ("post", t), ("post", t),
                                          ("reply", t), ("post", t.replace(year=2025))]):
            con.execute("INSERT INTO posts (platform, post_id, account_id, created_at, kind,"
                        " form, first_run_id, last_run_id) VALUES ('mastodon', ?, ?, ?, ?,"
                        " 'text', 'r1', 'r1')", [f"p{i}", acc, when, kind])
        comments = [("c1", None, False), ("c2", None, False), ("c3", None, False),
                    ("c4", None, False), ("r1", "c1", True), ("r2", "c2", True),
                    ("r3", "c3", True), ("r4", "r1", False)]
        for cid, parent, inst in comments:
            con.execute("INSERT INTO comments (platform, comment_id, post_id, parent_id,"
                        " account_id, created_at, by_institution, first_run_id, last_run_id)"
                        " VALUES ('mastodon', ?, 'p0', ?, ?, ?, ?, 'r1', 'r1')",
                        [cid, parent, acc, t, inst])
        comp = definition.parse({**definition.to_dict(definition.bundled()[0])})
        items = evidence.evidence(con, comp, "AR-PRIM")
        none = evidence.evidence(con, comp, "IZ-SVC")
    assert evidence.evidence_period(comp) == (dt.date(2026, 1, 1), dt.date(2026, 11, 15))
    shown = [(i.label, i.shown) for i in items]
    assert shown[:3] + shown[5:] == [
        ("followers (latest)", "1,200 (1 of 4 accounts give a count)"),
        ("original posts", "3 in 2026-01-01 to 2026-11-15 (1 of 4 accounts posted)"),
        ("citizen comments answered", "60% (3 of 5)"),
        ("monitoring rubric (0-4)", "n/a (no submitted assessment of this institution)"),
    ]
    # continuum and ladder come from the metrics module (issue 5), whose thresholds are its
    # own: here only that they are read for the evidence period, and n/a with its reason
    # for an institution without posts
    assert [i.label for i in items[3:5]] == ["continuum", "engagement ladder"]
    assert items[3].value is not None and items[3].value.split(" ")[0] in (
        "modest", "moderate", "elaborate")
    assert none[2].shown == ("n/a (no citizen comments collected in 2026-01-01 to "
                             "2026-11-15)")
    assert none[3].value is None and none[3].reason
    assert none[4].value is None and none[4].reason


def test_cli_create_list_progress_and_errors(db_path, tmp_path, capsys, monkeypatch):
    from closer import registry

    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with db.connect(db_path) as con:
        registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
        auth.add_user(con, auth.LOCAL_OPERATOR, "demo-chair", roles=["chair"],
                      password=PASSWORD)
    path = definition.definitions_dir() / "good_practice_2026_v1.yaml"
    code, out, err = run_cli(capsys, db_path, "create", str(path))
    assert code == 0
    assert out.strip() == (
        "good_practice_2026 v1: new; 6 criteria, 5 jurors, chair demo-chair; tie-break: higher "
        "mean score on impact, then higher mean score on stakeholder_engagement, then the "
        "chair's casting vote")
    assert err.strip() == ("note: no active user yet for demo-juror, juror-bogdan, juror-carmen,"
                           " juror-dan, juror-elena (add them with `closer users add NAME "
                           "--role juror`)")
    code, out, _ = run_cli(capsys, db_path, "create", str(path))
    assert out.startswith("good_practice_2026 v1: unchanged;")
    bad = tmp_path / "good_practice_2026_v1.yaml"
    bad.write_text(path.read_text().replace("weight: 25", "weight: -25"))
    code, _, err = run_cli(capsys, db_path, "create", str(bad))
    assert (code, err.strip()) == (1, ("closer: refused, nothing stored:\n"
                                   "good_practice_2026_v1.yaml:43: criteria[3].weight: must be "
                                   "a number > 0, not -25"))
    code, out, _ = run_cli(capsys, db_path, "list")
    assert out.splitlines()[1].startswith("good_practice_2026\t1\topen\t0\t0\t")
    code, _, err = run_cli(capsys, db_path, "results", "nope")
    assert (code, err.strip()) == (1, ("closer: no competition 'nope' (known: "
                                   "good_practice_2026)"))


def test_demo_step_builds_two_competitions(db_path, monkeypatch):
    """On the sample registry, with the users step's demo-juror and demo-chair present."""
    from closer import registry

    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with db.connect(db_path) as con:
        registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
        auth.add_user(con, auth.LOCAL_OPERATOR, "demo-chair", roles=["chair"], password=PASSWORD)
        auth.add_user(con, auth.LOCAL_OPERATOR, "demo-juror", roles=["juror"], password=PASSWORD)
    msg = s40_jury.run(db_path, SAMPLE)
    assert msg == (
        "good_practice_2026: 10 practices, 48 ballots, round closed, 8 shortlisted, 3 places "
        "and 2 special mentions; no_hate_speech_2026: 5 practices, 6 ballots so far, round "
        "open; jury users added without a password: juror-bogdan, juror-carmen, juror-dan, "
        "juror-elena")
    with db.connect(db_path, read_only=True) as con:
        view = store.results(con, auth.LOCAL_OPERATOR, "good_practice_2026")
        institutions = {p.institution_id for p in view.practices.values()}
        rows = store.result_rows(view)
        prog = store.progress(con, user(con, "demo-chair"), "no_hate_speech_2026")
    assert len(institutions) == 10 and institutions <= {
        "AR-PRIM", "BR-CJ", "CL-SVC", "DU-SVC", "IZ-SVC", "AR-PREF", "BR-SVC", "CL-PRIM",
        "DU-PREF", "IZ-CJ"}
    recused = {r["practice_id"]: r["recused"] for r in rows}
    assert (recused["GP26-02"], recused["GP26-03"]) == (1, 1)
    # the normalised ranking moves BR-CJ's practice (scored without the lenient juror-dan)
    # from 3rd to 2nd place
    second = next(r for r in rows if r["rank"] == 2)
    assert (second["practice_id"], second["raw_rank"], second["award"]) == (
        "GP26-02", 3, "2nd place")
    assert sorted(r["award"] for r in rows if r["award"]) == [
        "1st place", "2nd place", "3rd place", "Special mention: easy to copy",
        "Special mention: two-way conversation"]
    assert sum(r["shortlisted"] for r in rows) == 8
    assert [(p["juror"], p["status"]) for p in prog if p["practice_id"] == "NH26-04"] == [
        ("demo-juror", "draft"), ("juror-bogdan", "not started"),
        ("juror-carmen", "not started")]


def test_every_command_in_the_docs_exists():
    """docs/jury.md's command table names only real `closer jury` subcommands, and all."""
    import re

    from closer import cli
    from tests.conftest import REPO

    text = (REPO / "docs" / "jury.md").read_text()
    table = text.split("## Command line")[1].split("\n## ")[0]
    named = set()
    for cell in re.findall(r"^\| (.+?) \|", table, flags=re.MULTILINE)[2:]:
        named |= {m.split()[0] for m in re.findall(r"`([a-z-]+)[ `]", cell)}
    parser = cli.build_parser()
    sub = next(a for a in parser._subparsers._group_actions[0].choices["jury"]._actions
               if a.__class__.__name__ == "_SubParsersAction")
    assert named == set(sub.choices)
