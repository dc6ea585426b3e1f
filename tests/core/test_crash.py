"""A reply process killed with SIGKILL mid-stream loses at most about a second of text, and the
block it was in the middle of is saved marked partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from claude_tui.core.blocks import TextBlock
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario, generate_text

CHILD = r"""
import sys, time
from claude_tui.core.client import ApiSettings
from claude_tui.core.blocks import blocks_from_text
from claude_tui.core.events import BlockDelta
from claude_tui.core.store.recorder import ReplyRecorder
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.core.store import SessionStore

store = SessionStore.open()
recorder = ReplyRecorder(
    store, session_id=None, user_blocks=blocks_from_text("write"), model="m", system=""
)
recorder.begin()
received = 0

def emit(event):
    global received
    recorder.on_event(event)
    if isinstance(event, BlockDelta) and event.kind == "text":
        received += len(event.text)
        print(f"{time.monotonic()} {received}", flush=True)

messages = [{"role": "user", "content": [{"type": "text", "text": "write"}]}]
StreamRunner(StreamRequest(messages=messages), emit, api=ApiSettings("k", sys.argv[1])).run()
"""

LOSS_ALLOWED = 1.0
JITTER = 0.3


def test_sigkill_mid_stream_keeps_all_but_about_a_second(tmp_path: Path) -> None:
    text = generate_text(3000)
    with LocalAPIServer(Scenario(text=text, rate=120)) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.base_url],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        progress: list[tuple[float, int]] = []

        def read() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                stamp, count = line.split()
                progress.append((float(stamp), int(count)))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + 20
        while (
            not progress or progress[-1][0] - progress[0][0] < 2.5
        ) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert progress, "the child never received text"
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
        child.wait(5)
        reader.join(2)

    store = SessionStore.open()
    try:
        assert store.mark_interrupted() == 1
        (session,) = store.list_sessions()
        user, reply = store.messages(session.id)
    finally:
        store.close()
    assert user.content == "write" and user.status == "complete"
    assert reply.status == "incomplete"
    assert text.startswith(reply.content)  # what was saved is exactly what was streamed
    (block,) = reply.blocks
    assert isinstance(block, TextBlock) and block.text == reply.content
    assert block.partial  # the stream never reached the block's stop
    safe_point = killed_at - LOSS_ALLOWED - JITTER
    must_have = max((count for stamp, count in progress if stamp <= safe_point), default=0)
    assert must_have > 0
    assert len(reply.content) >= must_have
