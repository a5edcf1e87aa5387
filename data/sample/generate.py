"""Generate the bundled sample's recorded API responses (data/sample/recorded/).

    python data/sample/generate.py [--seed 20260501] [--out data/sample/recorded]

Reads the registry in data/sample/registry/, simulates the fictitious institutions' accounts
from April to mid-November 2026 (gen/scenario.py: who posts how often, how they answer) and
writes, for each collection epoch, the responses each platform's public API would give at
that moment, in its exact format, for monitor/replay.py to serve to the real collectors:

    recorded/manifest.json                    epochs: name, since, date_header, files
    recorded/<epoch>/mastodon.json.gz         {"responses": [{host, path, query, status,
    recorded/<epoch>/bluesky.json.gz            headers, body | text}, ...]}
    recorded/<epoch>/feed.json.gz

The output is deterministic: the same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import gzip
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import bluesky, feeds, mastodon
from gen.scenario import EPOCH_DAYS, EPOCHS, FIRST_SINCE, OVERLAP, SEED
from gen.world import World


def since_for(i: int) -> dt.datetime:
    """The collection window's start: the baseline's first day, then a few days before the
    previous collection (so recent posts' counts are taken again)."""
    if i == 0:
        return FIRST_SINCE
    return (EPOCHS[i - 1] - OVERLAP).replace(hour=0, minute=0, second=0, microsecond=0)


def write_gz_json(path: Path, data: object) -> int:
    """Write gzip'd compact JSON with a fixed header (no name, mtime 0); returns its size."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return len(buf.getvalue())


def generate(
    out: Path, seed: int = SEED, registry: Path = HERE / "registry", only: set[str] | None = None
) -> dict[str, int]:
    """Write the recorded sample under `out` (only the epochs named in `only`, if given, and
    no manifest then); returns file → size in bytes."""
    world = World(registry, seed)
    sizes: dict[str, int] = {}
    epochs = []
    for i, (name, at) in enumerate(zip(EPOCH_DAYS, EPOCHS)):
        if only is not None and name not in only:
            continue
        since = since_for(i)
        per_file: dict[str, list] = {"mastodon": [], "bluesky": [], "feed": []}
        for ch in world.channels:
            if ch.platform == "mastodon":
                per_file["mastodon"] += mastodon.responses(world, ch, at, since)
            elif ch.platform == "bluesky":
                per_file["bluesky"] += bluesky.responses(world, ch, at, since)
            else:
                per_file["feed"] += feeds.responses(world, ch, at)
        files = []
        for kind, recs in per_file.items():
            rel = f"{name}/{kind}.json.gz"
            sizes[rel] = write_gz_json(out / rel, {"responses": recs})
            files.append(rel)
        epochs.append(
            {
                "name": name,
                "since": since.isoformat(),
                "date_header": email.utils.format_datetime(at, usegmt=True),
                "files": files,
            }
        )
    if only is not None:
        return sizes
    manifest = {"generator": "data/sample/generate.py", "seed": seed, "epochs": epochs}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=HERE / "recorded")
    args = ap.parse_args(argv)
    sizes = generate(args.out, args.seed)
    for rel, size in sizes.items():
        print(f"{rel:32s} {size / 1024:8.1f} KiB")
    print(f"{'total':32s} {sum(sizes.values()) / 1024 / 1024:8.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
