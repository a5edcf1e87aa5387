"""`closer` command line: init, registry, collect, reread, app, demo, and the commands each
part registers in closer/commands/ (a module with `register(subparsers)`)."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from closer import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="closer", description="Monitor and evaluate public institutions' social media.")
    parser.add_argument("--version", action="version", version=f"closer {__version__}")
    parser.add_argument("--db", help="database file (default: $CLOSER_DB or ./closer.duckdb)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import closer.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"closer.commands.{info.name}")
        if hasattr(mod, "register"):
            mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    try:
        from rich.logging import RichHandler

        logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(show_path=False, stderr=True)] if sys.stderr.isatty() else None)
    except ImportError:  # pragma: no cover
        logging.basicConfig(level=level)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"closer: {exc}", file=sys.stderr)
        return exc.code


class CliError(Exception):
    """A user-facing error: printed without a traceback."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


if __name__ == "__main__":
    raise SystemExit(main())
