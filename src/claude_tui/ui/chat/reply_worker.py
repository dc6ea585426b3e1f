"""One reply's work in its worker thread: save the prompt, then stream the reply and save it.

The runner's events go to the recorder first (so what arrived is saved even if the app stops
now), then to the UI as ``ReplyEvent`` messages; the saved ids come back as messages too. A
database failure stops the saving, never the reply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.message_pump import MessagePump

from claude_tui.core.blocks import Block
from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Turn
from claude_tui.core.events import StreamEvent
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.core.store import SessionStore, StoreError
from claude_tui.core.store.recorder import ParentId, ReplyRecorder
from claude_tui.ui.messages import ReplyEvent, SessionSaved, StoreProblem, TurnsSaved
from claude_tui.ui.options import runner_settings, stream_request

Adjust = Callable[[StreamRequest], StreamRequest]
"""A change to the request the settings make (``/compact``'s compaction edit)."""


def worker_name(reply_id: int) -> str:
    return f"reply-{reply_id}"


class EventSink:
    """Where a runner's events go, from its worker thread: the recorder (once the worker has
    opened it), then the UI.

    The reply's row id goes to the UI (``on_row``) as soon as the recorder has made the row,
    ahead of the event that made it: a reply continued the moment it ends (a ``pause_turn``)
    must continue that row, and the worker's own report of its rows comes only after the runner
    has returned, too late for that."""

    def __init__(
        self,
        post: Callable[[StreamEvent], object],
        on_problem: Callable[[str], object],
        on_row: Callable[[int], object] = lambda _row: None,
    ) -> None:
        self.recorder: ReplyRecorder | None = None
        self._post = post
        self._on_problem = on_problem  # all three only post a message: safe from any thread
        self._on_row = on_row
        self._row: int | None = None

    def __call__(self, event: StreamEvent) -> None:
        if self.recorder is not None:
            try:
                self.recorder.on_event(event)
            except Exception as error:  # saving must never break the reply (e.g. a deleted row)
                self.recorder = None
                self._on_problem(str(error) if isinstance(error, StoreError) else repr(error))
            else:
                row = self.recorder.reply_message_id
                if row is not None and row != self._row:
                    self._row = row
                    self._on_row(row)
        self._post(event)


class ReplyWork:
    """The thread body of reply ``reply_id`` (call it in a thread worker); its messages go to
    ``node``. ``runner`` is there from the start, so the reply can be cancelled at once."""

    def __init__(
        self,
        node: MessagePump,
        reply_id: int,
        settings: Settings,
        history: list[dict[str, Any]],
        *,
        caps: ModelCapabilities,
        api: ApiSettings,
        store_path: Path | None,
        session_id: str | None,
        prompt: Turn | None,
        reply: Turn,
        parent_id: ParentId,
        continues: int | None = None,
        prefix: Sequence[Block] = (),
        earlier: StreamMetrics | None = None,
        adjust: Adjust | None = None,
    ) -> None:
        """``prompt`` is the new user turn (saved as its blocks), or None when the reply
        answers the last prompt again; ``reply`` is the turn the reply streams into;
        ``adjust`` changes the request the settings make (``/compact``'s compaction edit).

        A continuation of ``reply`` (no prompt) saves into its stored message ``continues``
        after the ``prefix`` it had; ``earlier`` is what its earlier requests measured."""
        self._node, self._reply_id = node, reply_id
        self.reply_id = reply_id
        self._settings, self._store_path, self._session_id = settings, store_path, session_id
        self._prompt, self._reply = prompt, reply
        self._parent_id = parent_id
        self._continues, self._prefix, self._earlier = continues, prefix, earlier
        self._sink = EventSink(
            lambda event: node.post_message(ReplyEvent(reply_id, event)),
            lambda problem: node.post_message(StoreProblem(problem)),
            lambda row: node.post_message(TurnsSaved(((reply, row),))),
        )
        request = stream_request(settings, history, caps)
        if adjust is not None:
            request = adjust(request)
        self.runner = StreamRunner(request, self._sink, api=api, settings=runner_settings(settings))

    def __call__(self) -> None:
        node, sink, settings = self._node, self._sink, self._settings
        store: SessionStore | None = None
        try:
            store = SessionStore.open(self._store_path)
            recorder = ReplyRecorder(
                store,
                session_id=self._session_id,
                user_blocks=list(self._prompt.blocks) if self._prompt is not None else None,
                model=settings.model,
                system=settings.system_prompt,
                parent_id=self._parent_id,
                continues=self._continues,
                prefix=self._prefix,
                earlier=self._earlier,
            )
            node.post_message(SessionSaved(self._reply_id, recorder.begin()))
            if self._prompt is not None and recorder.user_message_id is not None:
                node.post_message(TurnsSaved(((self._prompt, recorder.user_message_id),)))
            sink.recorder = recorder
        except StoreError as error:
            node.post_message(StoreProblem(str(error)))
        try:
            self.runner.run()
        finally:
            if store is not None:
                store.close()
            saved = sink.recorder.reply_message_id if sink.recorder is not None else None
            if saved is not None:
                node.post_message(TurnsSaved(((self._reply, saved),)))
