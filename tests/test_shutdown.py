"""Ctrl+Q, SIGTERM or SIGINT while a reply streams: the partial text is saved as cancelled and
the app exits within a second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario

CHILD = r"""
import asyncio, sys
from claude_tui.core.client import ApiSettings
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.options import AppOptions

async def main():
    app = ClaudeTUI(AppOptions(api=ApiSettings(api_key="k", base_url=sys.argv[1])))
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.chat.ready:
            await asyncio.sleep(0.02)
        app.query_one("#prompt").insert("write a lot")
        await pilot.press("enter")
        while not (app.chat.current.reply and app.chat.current.reply.has_text):
            await asyncio.sleep(0.02)
        print("streaming", flush=True)
        while app.is_running:
            await asyncio.sleep(0.02)
    print("exited", flush=True)

asyncio.run(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_stream_saves_the_partial_reply_and_exits_fast(signum: int) -> None:
    with LocalAPIServer(Scenario(tokens=20000, rate=200)) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.base_url],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "streaming"
        time.sleep(0.5)
        sent = time.monotonic()
        child.send_signal(signum)
        child.wait(5)
        took = time.monotonic() - sent
        assert child.stdout.read().strip() == "exited"
    # the app's own budget is 1 s (at most QUIT_WAIT waiting for workers); the margin covers
    # interpreter teardown on a loaded 2-core machine
    assert took < 1.5, f"took {took:.2f} s to exit"
    with SessionStore.open() as store:
        (session,) = store.list_sessions()
        user, reply = store.messages(session.id)
    assert user.content == "write a lot"
    assert reply.status == "cancelled"
    assert len(reply.content) > 50  # what had arrived, up to the signal
