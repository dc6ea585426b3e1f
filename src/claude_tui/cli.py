"""The ``claude-tui`` command: parse flags, start the local server for ``--demo``, run the app.

Nothing here imports the SDK: it costs about a second, and ``--help`` or ``--version`` should be
instant. The app imports it in a background thread after the first frame.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from claude_tui import __version__
from claude_tui.core import defaults
from claude_tui.core.client import ApiSettings, resolve_api_key
from claude_tui.core.paths import key_file

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
  Ctrl+Q       quit                 Ctrl+End   follow the reply after scrolling up

examples:
  claude-tui --demo             try it offline, no key needed
  claude-tui --model claude-opus-4-5
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui",
        description=DESCRIPTION.format(key_file=key_file()),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="chat with the built-in local Messages-API server: offline, no API key",
    )
    parser.add_argument(
        "--model",
        default=defaults.DEFAULT_MODEL,
        help=f"model id (default: {defaults.DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="API address (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    from claude_tui.ui.app import ClaudeTUI  # after parsing, so --help stays instant
    from claude_tui.ui.options import AppOptions

    server = None
    if args.demo:
        from claude_tui.core.localapi import DEMO_SCENARIO, LocalAPIServer

        server = LocalAPIServer(DEMO_SCENARIO).start()
        api = ApiSettings(api_key="demo-key-not-secret", base_url=server.base_url)
    else:
        api = ApiSettings(api_key=resolve_api_key(), base_url=args.base_url)
    try:
        ClaudeTUI(AppOptions(api=api, model=args.model, demo=args.demo)).run()
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
