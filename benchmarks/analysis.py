"""Comment analysis speed: Closer's full analysis against bare VADER on the same texts.

Generates N comments (default 200,000; mixed Romanian, with and without diacritics, and
English) from realistic templates into a fresh database, then measures in this one run:

- baseline: bare vaderSentiment (`SentimentIntensityAnalyzer().polarity_scores`) over
  the same texts, one process (VADER has no parallel mode);
- figure: `closer.analysis.pipeline.analyse_db` end to end (read the pending comments,
  language + sentiment + topics + question + hate + terms + copies, write the results),
  on all cores; ratio = Closer's comments/s ÷ VADER's comments/s (target ≥ 0.8);
- the second, incremental run on unchanged data (target ≥ 50× faster than the first);
- CPU time per comment of both (this process and its workers), which does not depend on how
  busy the shared machine is, and the ratio it implies on idle cores.

    python benchmarks/analysis.py [--n 200000] [--workers N] [--seed 6]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa

from closer import db, store

STREETS = [
    "Mihai Viteazu",
    "Republicii",
    "Unirii",
    "Independenței",
    "Florilor",
    "Gării",
    "Libertății",
    "Avram Iancu",
    "Teilor",
    "Morii",
    "Cuza Vodă",
    "Primăverii",
    "Ștefan cel Mare",
    "Mărășești",
    "Zorilor",
    "Bradului",
    "Tineretului",
    "Dacia",
]
PLACES = [
    "parcul central",
    "piața mare",
    "spitalul județean",
    "școala nr. {n}",
    "gara",
    "stadionul",
    "grădinița de pe {street}",
    "blocul {n}",
    "cartierul {street}",
]
RO_TEMPLATES = [
    "Când se repară drumul de pe strada {street}? Sunt gropi peste tot de {n} luni.",
    "Mulțumim pentru asfaltarea străzii {street}, arată foarte bine!",
    "Autobuzul {bus} a întârziat din nou {n} minute azi dimineață, este inacceptabil.",
    "Gunoiul nu a fost ridicat de pe strada {street} de {n} zile, e o mizerie.",
    "Nu e deloc bine ce faceți cu parcarea de lângă {place}, nu mai avem locuri.",
    "Bravo pentru festivalul de weekendul trecut, a fost minunat! {emoji}",
    "De ce nu avem apă caldă în cartierul {street} de {n} zile?",
    "Unde pot depune actele pentru certificatul de urbanism?",
    "Felicitări echipei pentru deszăpezire, strada {street} a fost curățată la timp.",
    "Iluminatul public de pe {street} nu funcționează de o săptămână, e periculos seara.",
    "Câinii comunitari de lângă {place} sunt o problemă pentru copii.",
    "Taxele locale au crescut cu {n}% și serviciile sunt tot mai proaste.",
    "Vă rog să ne spuneți când începe anul școlar la {place}.",
    "Sunteți niște incompetenți, nimic nu funcționează în orașul ăsta!",
    "Foarte frumos {place} după renovare, mulțumim!",
    "Cine răspunde pentru copacii tăiați pe {street}? Nimeni nu a anunțat nimic.",
    "Linia {bus} ar trebui să circule și duminica, mulți oameni merg la {place}.",
    "Trotuarul de pe {street} e distrus de {n} ani, nu se poate merge cu căruciorul.",
    "Super inițiativa cu pista de biciclete pe {street} {emoji}",
    "Am sunat de {n} ori la dispecerat și nu răspunde nimeni.",
    "Când se termină lucrările de la {place}? Praful e insuportabil.",
    "Apa are iar culoare ciudată în {place}, e sigură de băut?",
    "Mulțumesc pentru răspunsul rapid, problema s-a rezolvat.",
    "Semaforul de la intersecția cu {street} nu merge de ieri.",
    "Ar fi bine să puneți mai multe coșuri de gunoi în {place}.",
    "Felicitări pentru concertul de aseară, a fost o seară minunată!",
    "Nu mai suportăm zgomotul de la șantierul de pe {street}.",
    "Programul de la ghișeul de taxe e prea scurt, stăm la coadă {n} ore.",
]
EN_TEMPLATES = [
    "When will the road on {street} street be fixed? The potholes are getting worse.",
    "Thank you for the new bus line {bus}, it really makes my commute easier!",
    "The bins on {street} have not been emptied for {n} days, this is unacceptable.",
    "Great job with the festival this weekend, my kids loved it {emoji}",
    "Why is there no hot water in our block since {n} days?",
    "Parking near {place} is a nightmare, nobody seems to care.",
    "Is the library on {street} open on Sunday?",
    "The street lights on {street} are broken again, it is not safe at night.",
    "Nice work on the new park, really well done.",
    "Bus {bus} was {n} minutes late again this morning.",
    "Who do I contact about a broken pipe near {place}?",
    "Thanks for clearing the snow so quickly on {street}!",
]
DETAILS_RO = [
    "Locuiesc la numărul {num}.",
    "Am trimis și email pe {day} {month}.",
    "Sunt în cartier din {year}.",
    "Vă rog să verificați.",
    "Mulțumesc anticipat.",
    "Am și poze, din {day} {month}.",
    "Suntem {num} de familii în bloc.",
    "Problema e la intersecția cu {street}.",
]
DETAILS_EN = [
    "I live at number {num}.",
    "I emailed you on May {day}.",
    "We have lived here since {year}.",
    "Please check.",
    "Photos from June {day}.",
]
MONTHS = [
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
]
GREETINGS = ["", "", "", "Bună ziua, ", "Buna ziua! ", "Salut, ", "Stimată primărie, "]
SHORT = [
    "Bravo!",
    "Mulțumim!",
    "Super 👏",
    "👍👍",
    "Rușine!",
    "Thanks!",
    "Ok",
    "De acord.",
    "Felicitări!",
    "Jale...",
    "Când?",
    "Bravo primăria!",
    "Multumim frumos",
    "😡😡😡",
]
CAMPAIGNS = [
    "Cerem consultare publică reală pentru planul urbanistic al orașului nostru!",
    "Spuneți NU tăierii copacilor din parcul central, semnați petiția!",
]
EMOJIS = ["", "", "😊", "👏👏", "❤️", "😍"]
FOLD = str.maketrans("ăâîșțşţĂÂÎȘȚŞŢ", "aaistst" + "AAISTST" + "")


def comment_texts(n: int, seed: int) -> list[str]:
    """n realistic comments: ~72% Romanian (a third typed without diacritics, a third with
    two sentences, most with a detail), ~15% English, ~11% short reactions, ~2% campaign
    copies; streets, places, numbers, dates and greetings vary, so that apart from the
    reactions and campaigns nearly every text differs (the run prints how many)."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        r = rnd.random()

        def fill(template: str) -> str:
            slots = {
                "street": rnd.choice(STREETS),
                "n": rnd.randint(2, 40),
                "bus": rnd.randint(1, 120),
                "emoji": rnd.choice(EMOJIS),
                "num": rnd.randint(1, 250),
                "day": rnd.randint(1, 28),
                "month": rnd.choice(MONTHS),
                "year": rnd.randint(1970, 2023),
            }
            slots["place"] = rnd.choice(PLACES).format(**slots)
            return template.format(**slots).strip()

        if r < 0.72:
            text = rnd.choice(GREETINGS) + fill(rnd.choice(RO_TEMPLATES))
            if rnd.random() < 0.33:
                text += " " + fill(rnd.choice(RO_TEMPLATES))
            if rnd.random() < 0.7:
                text += " " + fill(rnd.choice(DETAILS_RO))
            if rnd.random() < 0.33:
                text = text.translate(FOLD)
        elif r < 0.87:
            text = fill(rnd.choice(EN_TEMPLATES))
            if rnd.random() < 0.7:
                text += " " + fill(rnd.choice(DETAILS_EN))
        elif r < 0.98:
            text = rnd.choice(SHORT)
        else:
            text = rnd.choice(CAMPAIGNS)
        out.append(text)
    return out


def build_db(path: Path, texts: list[str]) -> None:
    """A registry of 20 Romanian institutions and the comments under their posts."""
    t0 = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.connect(path) as con:
        con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, country)"
            " SELECT 'I' || i, 'Institution ' || i, 'city_hall', 'R' || (i % 5), 'RO'"
            " FROM range(20) t(i)"
        )
        con.execute(
            "INSERT INTO accounts (account_id, institution_id, platform, handle)"
            " SELECT 'mastodon:i' || i, 'I' || i, 'mastodon', 'i' || i FROM range(20) t(i)"
        )
        con.execute(
            "INSERT INTO runs (run_id, kind, started_at, status)"
            " VALUES ('bench', 'collect', now(), 'ok')"
        )
        n = len(texts)
        for a in range(20):
            idx = list(range(a, n, 20))
            rows = pa.table(
                {
                    "comment_id": [f"c{i}" for i in idx],
                    "post_id": [f"p{i // 50}" for i in idx],
                    "parent_id": [f"p{i // 50}" for i in idx],
                    "created_at": pa.array(
                        [t0 + dt.timedelta(minutes=i) for i in idx], type=store.TS
                    ),
                    "by_institution": [False] * len(idx),
                    "author": [f"u{i % 5000}" for i in idx],
                    "text": [texts[i] for i in idx],
                }
            )
            store.save_comments(con, "bench", "mastodon", f"mastodon:i{a}", rows)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200_000, help="comments (default 200,000)")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per core)"
    )
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from closer.analysis import ANALYSER_VERSION, pipeline

    texts = comment_texts(args.n, args.seed)
    distinct = len(set(texts))
    print(
        f"{args.n:,} comments ({distinct:,} distinct texts), {os.cpu_count()} cores, "
        f"analyser {ANALYSER_VERSION}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        t = time.perf_counter()
        build_db(path, texts)
        print(f"database built in {time.perf_counter() - t:.1f} s")

        vader = SentimentIntensityAnalyzer()
        t = time.perf_counter()
        cpu0 = _cpu()
        for text in texts:
            vader.polarity_scores(text)
        vader_s = time.perf_counter() - t
        vader_cpu = _cpu() - cpu0
        vader_rate = args.n / vader_s
        print(
            f"baseline  bare VADER (1 process, sentiment only): {vader_s:7.2f} s"
            f"  {vader_rate:9,.0f} comments/s"
        )

        t = time.perf_counter()
        cpu0 = _cpu()
        first = pipeline.analyse_db(path, workers=args.workers)
        first_s = time.perf_counter() - t
        closer_cpu = _cpu() - cpu0
        closer_rate = first.analysed / first_s
        workers = pipeline.default_workers() if args.workers is None else args.workers
        print(
            f"figure    Closer full analysis, first run:        {first_s:7.2f} s"
            f"  {closer_rate:9,.0f} comments/s"
            f"  ({first.analysed:,} analysed, {workers} workers)"
        )
        print(
            f"ratio     Closer / bare VADER throughput: {closer_rate / vader_rate:.2f}"
            "  (target >= 0.8)"
        )
        # CPU time does not depend on how busy the shared machine is: per comment, and what
        # the wall ratio would be with `workers` cores to ourselves.
        print(
            f"cpu       bare VADER {vader_cpu / args.n * 1e6:6.0f} us/comment;"
            f" Closer {closer_cpu / args.n * 1e6:6.0f} us/comment"
            f" (all processes, start-up included); with {workers} idle cores the ratio would be"
            f" {workers * vader_cpu / closer_cpu:.2f}; load average {os.getloadavg()[0]:.1f}"
        )

        t = time.perf_counter()
        second = pipeline.analyse_db(path, workers=args.workers)
        second_s = time.perf_counter() - t
        print(
            f"figure    second, incremental run:                {second_s:7.3f} s"
            f"  ({second.analysed} analysed)"
        )
        print(f"ratio     first run / incremental run: {first_s / second_s:.0f}x  (target >= 50x)")
        print(f"result    {first.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
