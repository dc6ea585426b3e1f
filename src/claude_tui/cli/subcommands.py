"""The scripting subcommands: ``sessions``, ``export``, ``import`` and ``themes``.

They work on the session database, the config file and theme files alone, so nothing here imports
textual or the SDK at import time: a script that lists or exports sessions starts in
milliseconds. Titles and message text are untrusted (they come from people and models), so
anything bound for a terminal goes through ``sanitize``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from claude_tui.core.config import config_path, load_config
from claude_tui.core.sanitize import one_line, sanitize
from claude_tui.core.store.export import write_private
from claude_tui.core.themes import load_themes, shipped_themes_dir, user_themes_dir

if TYPE_CHECKING:
    from claude_tui.core.store import SessionInfo, SessionStore

PROG = "claude-tui"


def add_subcommands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the subcommands; each sets ``func`` to a ``(args) -> exit code`` function."""
    sessions = subparsers.add_parser(
        "sessions",
        help="list saved sessions, newest first",
        description="List saved sessions, newest first: id, last update, messages, title.",
    )
    sessions.add_argument("--json", action="store_true", help="print a JSON list instead")
    sessions.add_argument(
        "--search", metavar="TEXT", help="only sessions whose title or text has it"
    )
    sessions.add_argument(
        "--limit", type=_positive, default=100, metavar="N", help="at most N (default: 100)"
    )
    sessions.set_defaults(func=run_sessions)

    export = subparsers.add_parser(
        "export",
        help="write a session as Markdown or JSON",
        description="Write a session as Markdown (to read) or JSON (to import again, exactly).",
    )
    export.add_argument("session", metavar="ID", help="a session id, a unique prefix, or 'latest'")
    export.add_argument("--format", choices=("md", "json"), default="md", help="default: md")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(func=run_export)

    importer = subparsers.add_parser(
        "import",
        help="read sessions exported as JSON",
        description="Read sessions exported with --format json; a taken id gets a new one.",
    )
    importer.add_argument("files", nargs="+", metavar="FILE", help="JSON files from export")
    importer.set_defaults(func=run_import)

    themes = subparsers.add_parser(
        "themes",
        help="list the themes, the active one marked *",
        description="List every theme (shipped, yours and Textual's), one per line; the one "
        f"set in the config file is marked *. Your themes go in {user_themes_dir()}.",
    )
    themes.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        # SUPPRESS: a subparser default would overwrite a --config given before the command
        default=argparse.SUPPRESS,
        help="read the active theme from FILE (default: $CLAUDE_TUI_CONFIG or config.toml)",
    )
    themes.set_defaults(func=run_themes)


def run_sessions(args: argparse.Namespace) -> int:
    def run(store: SessionStore) -> int:
        if args.search is not None:
            found = store.search_sessions(args.search, limit=args.limit)
        else:
            found = store.list_sessions(limit=args.limit)
        if args.json:  # ASCII-escaped, so no title can carry a raw control byte to a terminal
            print(json.dumps([_session_json(info) for info in found], indent=2))
        else:
            for line in _table(found):
                print(line)
        return 0

    return _with_store(run)


def run_export(args: argparse.Namespace) -> int:
    from claude_tui.core.store.export import (  # only this command writes exports
        to_json,
        to_markdown,
    )

    def run(store: SessionStore) -> int:
        if args.session == "latest":
            latest = store.latest_session()
            session_id = latest.id if latest is not None else None
        else:
            session_id = store.resolve_session_id(args.session)
        if session_id is None:
            return _fail(f"no session matches {args.session!r} (see '{PROG} sessions')")
        data = store.export_session(session_id)
        text = to_json(data) if args.format == "json" else to_markdown(data)
        if args.output is None:
            _write_terminal_safe(sys.stdout, text)
            return 0
        try:
            write_private(Path(args.output), text)
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
        return 0

    return _with_store(run)


def run_import(args: argparse.Namespace) -> int:
    def run(store: SessionStore) -> int:
        failed = False
        for name in args.files:
            try:
                data = json.loads(Path(name).read_text(encoding="utf-8"))
                print(store.import_session(data))
            except OSError as exc:
                failed = True
                _fail(f"cannot read {name}: {exc.strerror or exc}")
            except UnicodeDecodeError:
                failed = True
                _fail(f"{name} is not UTF-8 text")
            except json.JSONDecodeError as exc:
                failed = True
                _fail(f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
            except ValueError as exc:
                failed = True
                _fail(f"{name} is not a claude-tui session export: {exc}")
        return 1 if failed else 0

    return _with_store(run)


def run_themes(args: argparse.Namespace) -> int:
    """Print theme names; a bad theme file or config key is a notice on stderr, never a failure,
    just as in the app, so the list is always there to choose from."""
    from textual.theme import BUILTIN_THEMES  # only here: this command runs in its own process

    explicit = getattr(args, "config", None)  # from this command or, if it has one, the main parser
    path = config_path(Path(explicit) if explicit is not None else None)
    settings, config_problems = load_config(path)
    specs, theme_problems = load_themes(shipped_themes_dir(), user_themes_dir())
    for problem in [*config_problems, *theme_problems]:
        print(f"{PROG}: {one_line(str(problem))}", file=sys.stderr)
    names = sorted({*BUILTIN_THEMES, *(spec.name for spec in specs)})
    for name in names:
        print(f"{'*' if name == settings.theme else ' '} {name}")
    if settings.theme not in names:
        _fail(f"the configured theme {settings.theme!r} is not one of these")
    return 0


def _with_store(run: Callable[[SessionStore], int]) -> int:
    """Open the default store around ``run``; a database problem is one line and exit code 1."""
    # Imported here, not at the top: every run builds the parser from this module, and
    # ``--help``, ``--version`` and ``themes`` need no database.
    from claude_tui.core.store import SessionStore, StoreError

    try:
        store = SessionStore.open()
    except StoreError as exc:
        return _fail(str(exc))
    try:
        return run(store)
    except StoreError as exc:
        return _fail(str(exc))
    finally:
        store.close()


def _table(found: list[SessionInfo]) -> list[str]:
    """One aligned line per session: id, local update time, message count, title."""
    width = max((len(str(info.message_count)) for info in found), default=1)
    return [
        f"{info.id}  {_local_time(info.updated_at)}  {info.message_count:>{width}}  "
        f"{one_line(info.title) or '(untitled)'}"
        for info in found
    ]


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return one_line(stamp)[:16].ljust(16)


def _session_json(info: SessionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "title": info.title,
        "model": info.model,
        "created_at": info.created_at,
        "updated_at": info.updated_at,
        "archived": info.archived,
        "message_count": info.message_count,
        "streaming": info.streaming,
    }


def _write_terminal_safe(stream: TextIO, text: str) -> None:
    """Write as is to a file or pipe; on a terminal, escape sequences are shown, not obeyed."""
    stream.write(sanitize(text) if stream.isatty() else text)
    stream.flush()


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value
