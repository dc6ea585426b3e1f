"""The ``claude-tui`` command: parse flags, start the local server for ``--demo``, run the app.

Nothing here imports the SDK: it costs about a second, and ``--help`` or ``--version`` should be
instant. The app imports it in a background thread after the first frame.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui import __version__
from claude_tui.cli.subcommands import add_subcommands
from claude_tui.core import defaults
from claude_tui.core.client import ApiSettings, resolve_api_key
from claude_tui.core.config import Settings, config_path, ensure_config, load_config
from claude_tui.core.paths import data_dir, key_file
from claude_tui.core.themes import ThemeSpec, load_themes, shipped_themes_dir, user_themes_dir

if TYPE_CHECKING:
    from claude_tui.localapi.server import LocalAPIServer

DEMO_MEMORY_FILE = "demo-server.json"
"""Under the data dir: the demo server's signing key and what it sent (mode 0600)."""

DESCRIPTION = """\
A full-screen terminal chat client for Claude. Replies stream in as Markdown; Esc stops one at
any moment and keeps what arrived.

The API key comes from ANTHROPIC_API_KEY, or from the key file {key_file}.
The address comes from --base-url, else ANTHROPIC_BASE_URL, else the Anthropic API.
"""

EPILOG = """\
keys in the app:
  Enter        send                 Ctrl+J     new line in the prompt
  Esc          stop the reply       Up/Down    earlier prompts (on an empty prompt)
  Ctrl+N       new conversation     PgUp/PgDn  scroll the conversation
  Ctrl+B       sessions sidebar     Ctrl+End   follow the reply after scrolling up
  Ctrl+F       search sessions      Ctrl+Q     quit

examples:
  claude-tui --demo                        try it offline, no key needed
  claude-tui --continue                    pick up the latest conversation
  claude-tui sessions --search sqlite      find a conversation
  claude-tui export latest --format md -o chat.md
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui",
        description=DESCRIPTION.format(key_file=key_file()),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--demo",
        action="store_true",
        help="chat with the built-in local Messages-API server: offline, no API key",
    )
    parser.add_argument(
        "--model",
        default=None,
        help=f"model id for this run (default: config.toml, else {defaults.DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--theme", default=None, help="theme for this run (see `claude-tui themes`)"
    )
    parser.add_argument(
        "--refresh-rate",
        type=int,
        default=None,
        metavar="N",
        help="redraws a second while a reply streams, 1-120, for this run",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="config file (default: $CLAUDE_TUI_CONFIG, else the user config dir's config.toml)",
    )
    where.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="API address (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)",
    )
    opening = parser.add_mutually_exclusive_group()
    opening.add_argument(
        "--continue",
        dest="continue_latest",
        action="store_true",
        help="open the most recent session",
    )
    opening.add_argument("--session", metavar="ID", help="open a saved session (id or prefix)")
    add_subcommands(parser.add_subparsers(title="commands", metavar="COMMAND"))
    return parser


def prepare_store(args: argparse.Namespace) -> tuple[str | None, str | None, str | None]:
    """Open the store before the UI starts: a damaged file is moved aside (never deleted),
    replies a killed app left ``streaming`` become ``incomplete``, and the session to open is
    found. Returns (session id, problem that stops saving, notice)."""
    from claude_tui.core.store import StoreError
    from claude_tui.core.store.recovery import open_or_recover

    try:
        store, notice = open_or_recover()
    except StoreError as error:
        return None, str(error), None
    try:
        store.mark_interrupted()
        if args.session:
            session_id = store.resolve_session_id(args.session)
            if session_id is None:
                problem = f"no session matches {args.session!r} (see `claude-tui sessions`)"
                return None, problem, notice
            return session_id, None, notice
        if args.continue_latest:
            latest = store.latest_session()
            return (latest.id if latest else None), None, notice
        return None, None, notice
    finally:
        store.close()


def prepare_settings(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[Settings, Path, list[str], tuple[ThemeSpec, ...]]:
    """Read config.toml (creating it on the first run) and the theme files, with this run's
    flags on top. Problems become notices for the screen; only a bad flag stops the start."""
    path = config_path(args.config)
    notices: list[str] = []
    try:
        ensure_config(path)
    except OSError as error:
        notices.append(f"could not create {path}: {error.strerror or error}")
    settings, problems = load_config(path)
    notices.extend(str(problem) for problem in problems)
    try:
        settings = settings.with_overrides(
            model=args.model, theme=args.theme, refresh_rate=args.refresh_rate
        )
    except ValueError as error:
        parser.error(str(error))
    themes, theme_problems = load_themes(shipped_themes_dir(), user_themes_dir())
    notices.extend(f"theme file skipped: {problem}" for problem in theme_problems)
    return settings, path, notices, tuple(themes)


def start_demo_server(notices: list[str], later: list[str] | None = None) -> LocalAPIServer:
    """The local server ``--demo`` talks to, remembering what it sent in a private file under
    the data dir, so a conversation from an earlier demo run goes on (its web search and
    thinking blocks are accepted back). A file it cannot use becomes a notice, not a failure;
    a write that fails while the demo runs goes to ``later`` (once), said when the app ends."""
    from claude_tui.localapi.memory_file import load_memory
    from claude_tui.localapi.server import DEMO_SCENARIO, LocalAPIServer

    report = later.append if later is not None else None
    memory, problem = load_memory(data_dir() / DEMO_MEMORY_FILE, report)
    if problem is not None:
        notices.append(problem)
    return LocalAPIServer(DEMO_SCENARIO, memory=memory).start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is not None:
        result: int = args.func(args)
        return result

    settings, path, notices, themes = prepare_settings(parser, args)
    session_id, problem, notice = prepare_store(args)
    if notice is not None:
        notices.append(notice)
    if problem is not None:
        if args.session:
            print(f"claude-tui: {problem}", file=sys.stderr)
            return 1
        notices.append(f"sessions will not be saved: {problem}")

    from claude_tui.ui.app import ClaudeTUI  # after parsing, so --help stays instant
    from claude_tui.ui.options import AppOptions

    server = None
    said_at_exit: list[str] = []
    if args.demo:
        server = start_demo_server(notices, said_at_exit)
        api = ApiSettings(api_key="demo-key-not-secret", base_url=server.base_url)
    else:
        api = ApiSettings(
            api_key=resolve_api_key(),
            base_url=args.base_url,
            request_timeout=settings.request_timeout,
        )
    try:
        options = AppOptions(
            api=api,
            settings=settings,
            demo=args.demo,
            open_session_id=session_id,
            config_path=path,
            notices=tuple(notices),
            themes=themes,
        )
        ClaudeTUI(options).run()
    finally:
        if server is not None:
            server.stop()
        for line in said_at_exit:  # after the app: the terminal is the shell's again
            print(f"claude-tui: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
