"""A local HTTP server that replays recorded API responses.

The demo (and tests) point collectors at it with CLOSER_ENDPOINTS (host → base URL), so
the bundled sample goes through exactly the code path of a live collection.
Recordings: a list of {host, path, query, status, headers, body | text}; a request
matches on host (first path segment), path and query string.
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def _key(host: str, path: str, query: dict[str, Any] | list | str | None) -> tuple:
    if isinstance(query, str):
        items = parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, dict):
        items = [(k, str(v)) for k, v in query.items()]
    else:
        items = [(k, str(v)) for k, v in (query or [])]
    return (host.lower(), path.rstrip("/") or "/", tuple(sorted(items)))


def load_recordings(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return data["responses"] if isinstance(data, dict) else data


class ReplayServer:
    """`with ReplayServer(recordings) as srv: srv.endpoints` → {host: base URL}."""

    def __init__(self, recordings: list[dict[str, Any]] | None = None):
        self._table: dict[tuple, dict[str, Any]] = {}
        self.hosts: set[str] = set()
        self.misses: list[str] = []
        if recordings:
            self.load(recordings)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                seg = parts.path.lstrip("/").split("/", 1)
                host, rest = seg[0], "/" + (seg[1] if len(seg) > 1 else "")
                rec = server._table.get(_key(host, rest, parts.query))
                if rec is None:
                    server.misses.append(self.path)
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error":"Record not found"}')
                    return
                if "text" in rec:
                    payload = rec["text"].encode("utf-8")
                    ctype = "application/xml; charset=utf-8"
                else:
                    payload = json.dumps(rec.get("body"), ensure_ascii=False).encode("utf-8")
                    ctype = "application/json; charset=utf-8"
                self._rec_date = (rec.get("headers") or {}).get("Date")
                self.send_response(rec.get("status", 200))
                headers = {"Content-Type": ctype, **(rec.get("headers") or {})}
                for k, v in headers.items():
                    if k.lower() in ("content-length", "date", "server"):
                        continue
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            # BaseHTTPRequestHandler sends its own Date; a recorded one replaces it.
            def date_time_string(self, timestamp=None):
                rec_date = getattr(self, "_rec_date", None) or server.date
                return rec_date or super().date_time_string(timestamp)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.date: str | None = None
        self._thread: threading.Thread | None = None

    def load(self, recordings: list[dict[str, Any]], date: str | None = None) -> None:
        """Replace what is served; `date` is the HTTP Date header every response carries."""
        self._table = {}
        for r in recordings:
            self._table[_key(r["host"], r["path"], r.get("query"))] = r
            self.hosts.add(r["host"].lower())
        self.date = date

    @property
    def base(self) -> str:
        h, p = self._httpd.server_address[:2]
        return f"http://{h}:{p}"

    @property
    def endpoints(self) -> dict[str, str]:
        return {h: f"{self.base}/{h}" for h in sorted(self.hosts)}

    def __enter__(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
