"""Demo mode's canned replies are Markdown files shipped in the package, read once when needed."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

from claude_tui.localapi import demo_replies
from claude_tui.localapi.demo_replies import REPLY_NAMES, all_replies, pick_reply, reply_text


def test_every_reply_is_a_markdown_file_and_every_file_a_reply() -> None:
    folder = resources.files("claude_tui.localapi").joinpath("demo")
    files = {entry.name for entry in folder.iterdir() if entry.name.endswith(".md")}
    assert files == {f"{name}.md" for name in REPLY_NAMES}


def test_a_reply_is_its_file_less_the_final_newline() -> None:
    folder = resources.files("claude_tui.localapi").joinpath("demo")
    for name in REPLY_NAMES:
        raw = folder.joinpath(f"{name}.md").read_text(encoding="utf-8")
        text = reply_text(name)
        assert raw == text + "\n"
        assert text.strip() and text == text.rstrip()  # sent back as history, so no trailing space


def test_replies_keeps_its_old_name_and_order() -> None:
    replies = demo_replies.REPLIES
    assert replies == all_replies() == tuple(reply_text(name) for name in REPLY_NAMES)
    assert replies[0].startswith("Hello!")
    assert "```rust" in replies[REPLY_NAMES.index("rust_code")]


def test_files_are_read_once() -> None:
    demo_replies._replies_by_name.cache_clear()
    for turn in range(5):
        pick_reply("write some code", turn)
    assert demo_replies.REPLIES
    assert demo_replies._replies_by_name.cache_info().misses == 1


def test_importing_reads_no_file() -> None:
    """The server module (and so the app's startup) does not read the replies until one is
    needed."""
    code = (
        "import claude_tui.localapi.server\n"
        "from claude_tui.localapi import demo_replies\n"
        "print(demo_replies._replies_by_name.cache_info().currsize)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "0"
