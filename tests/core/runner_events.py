"""The runner's events as a test sees them: collected from the runner's thread, waited for, and
read back by kind (shared by the runner's text and block tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from claude_tui.core.events import BlockDelta, BlockStarted, BlockStopped, StreamEvent


class Recorder:
    """Collects events from the runner's thread and lets the test wait for one."""

    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: StreamEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[StreamEvent], bool], timeout: float = 10.0) -> None:
        with self._changed:
            ok = self._changed.wait_for(lambda: any(predicate(e) for e in self.events), timeout)
        assert ok, f"no matching event in {[type(e).__name__ for e in self.events]}"

    def of(self, kind: type) -> list[StreamEvent]:
        return [e for e in self.events if isinstance(e, kind)]

    def deltas(self, kind: str = "text") -> list[BlockDelta]:
        return [e for e in self.events if isinstance(e, BlockDelta) and e.kind == kind]

    def text(self) -> str:
        return "".join(e.text for e in self.deltas("text"))

    def layout(self) -> list[tuple[str, int, str | None]]:
        """The block events as (event, index, delta kind), a run of batches of one kind as one."""
        layout: list[tuple[str, int, str | None]] = []
        for e in self.events:
            if isinstance(e, BlockStarted | BlockDelta | BlockStopped):
                entry = (type(e).__name__, e.index, getattr(e, "kind", None))
                if not layout or layout[-1] != entry or entry[0] != "BlockDelta":
                    layout.append(entry)
        return layout
