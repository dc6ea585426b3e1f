"""The sessions panel: the sidebar, the store work behind it, and the sessions open in this run.

The sidebar (``sidebar.py``) only shows rows and says what the user asked for; this panel
answers: it reads pages and searches, opens, renames and deletes (with undo) in store workers,
and tells the screen what to show with messages. It also keeps every session opened in this
run, by id, so a reply can go on streaming into one while another is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from textual import getters, on
from textual.app import ComposeResult
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker

from claude_tui.core.sanitize import sanitize
from claude_tui.core.store import SessionInfo, SessionStore
from claude_tui.core.store.history import conversation_from_stored
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.messages import SessionLoaded, SessionsChanged, SessionsListed, StoreProblem
from claude_tui.ui.screens.dialogs import ConfirmDeleteScreen, RenameScreen
from claude_tui.ui.store_work import in_store
from claude_tui.ui.widgets.sidebar import PAGE_SIZE, SessionSidebar

UNDO_SECONDS = 5.0
"""How long a deleted session can still be brought back."""

T = TypeVar("T")


@dataclass
class PendingDelete:
    session_id: str
    title: str
    timer: Timer
    state: SessionState | None


class SessionsPanel(Widget):
    """Holds the sidebar; as wide as it is, and nothing when it is hidden (Ctrl+B). Where it
    stands, beside the chat or over it, is the screen's ``SidebarLayout``'s to say."""

    DEFAULT_CSS = """
    SessionsPanel { width: auto; height: 1fr; }
    """

    @dataclass
    class Open(Message):
        """The user chose a session in the list (``open`` shows it)."""

        panel: SessionsPanel
        session_id: str

        @property
        def control(self) -> SessionsPanel:
            return self.panel

    @dataclass
    class Opened(Message):
        """A session is ready to be shown: one open in this run, or just read from the store."""

        panel: SessionsPanel
        state: SessionState

        @property
        def control(self) -> SessionsPanel:
            return self.panel

    @dataclass
    class New(Message):
        """The user asked for a new conversation."""

        panel: SessionsPanel

        @property
        def control(self) -> SessionsPanel:
            return self.panel

    @dataclass
    class Renamed(Message):
        panel: SessionsPanel
        session_id: str
        title: str

        @property
        def control(self) -> SessionsPanel:
            return self.panel

    @dataclass
    class Deleted(Message):
        """The user deleted a session (undoable for ``UNDO_SECONDS``); ``state`` is its state
        if it was open in this run, whose reply should stop."""

        panel: SessionsPanel
        session_id: str
        state: SessionState | None

        @property
        def control(self) -> SessionsPanel:
            return self.panel

    sidebar = getters.query_one(SessionSidebar)

    def __init__(self, store_path: Path | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store_path = store_path
        self.open_states: dict[str, SessionState] = {}
        """Sessions opened (or started) in this run, by id: shown again as they are, with any
        reply still streaming into them, rather than read again from the store."""
        self._pending_delete: PendingDelete | None = None
        self._reloads_asked = 0
        """Reloads of the list asked for so far (see ``SessionsListed.serial``)."""
        self._reload_shown = 0
        """The newest reload whose list the sidebar shows."""

    def compose(self) -> ComposeResult:
        yield SessionSidebar(id="sidebar")

    def _in_store(self, job: Callable[[SessionStore], T], then: Callable[[T], object]) -> None:
        """Store work whose failures mean sessions are not being saved (or listed)."""
        in_store(self, self.store_path, job, then)

    # -- the list -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again (as many rows as it shows, at least a page)."""
        sidebar = self.sidebar
        query = sidebar.query_text
        limit = PAGE_SIZE if query else max(PAGE_SIZE, len(sidebar.sessions))
        self._reloads_asked += 1
        serial = self._reloads_asked

        def job(store: SessionStore) -> list[SessionInfo]:
            if query:
                return store.search_sessions(query, limit=limit)
            return store.list_sessions(limit=limit)

        def then(rows: list[SessionInfo]) -> None:
            exhausted = bool(query) or len(rows) < limit
            self.post_message(
                SessionsListed(rows, append=False, exhausted=exhausted, query=query, serial=serial)
            )

        self._in_store(job, then)

    def _load_more(self) -> None:
        sidebar = self.sidebar
        if not sidebar.sessions:
            return
        last = sidebar.sessions[-1]
        before = (last.updated_at, last.id)

        def then(rows: list[SessionInfo]) -> None:
            exhausted = len(rows) < PAGE_SIZE
            self.post_message(SessionsListed(rows, append=True, exhausted=exhausted, query=""))

        self._in_store(lambda store: store.list_sessions(limit=PAGE_SIZE, before=before), then)

    @on(SessionsListed)
    def _on_sessions_listed(self, message: SessionsListed) -> None:
        sidebar = self.sidebar
        if message.query != sidebar.query_text:
            return  # an answer to a search the user has already changed
        if not message.append:
            if message.serial < self._reload_shown:
                return  # a reload that finished after a newer one: its list is older
            self._reload_shown = message.serial
        pending = self._pending_delete
        rows = [s for s in message.sessions if pending is None or s.id != pending.session_id]
        sidebar.set_sessions(rows, append=message.append, exhausted=message.exhausted)

    @on(SessionsChanged)
    @on(SessionSidebar.SearchChanged)
    def _on_list_changed(self) -> None:
        self.reload()

    def show_current(self, session_id: str | None) -> None:
        """Highlight the session on screen."""
        self.sidebar.set_current(session_id)

    def show_active(self, session_ids: set[str]) -> None:
        """Mark the sessions with a reply streaming now."""
        self.sidebar.set_active(session_ids)

    # -- opening ------------------------------------------------------------------------------

    def open(self, session_id: str) -> None:
        """Post ``Opened`` with the session's state: its own if it is open in this run, else
        one read from the store (or a ``StoreProblem`` if there is no such session)."""
        state = self.open_states.get(session_id)
        if state is not None:
            self.post_message(self.Opened(self, state))
            return

        def job(store: SessionStore) -> SessionLoaded | None:
            info = store.get_session(session_id)
            if info is None:
                return None
            return SessionLoaded(info, conversation_from_stored(store.messages(session_id)))

        def then(loaded: SessionLoaded | None) -> None:
            if loaded is None:
                self.post_message(StoreProblem(f"no session with id {session_id}"))
            else:
                self.post_message(loaded)

        self._in_store(job, then)

    @on(SessionLoaded)
    def _on_session_loaded(self, message: SessionLoaded) -> None:
        info = message.info
        state = self.open_states.get(info.id)
        if state is None:
            state = SessionState(info.id, info.title, message.conversation)
            state.model, state.system = info.model or None, info.system  # the session keeps them
            state.web_search, state.web_fetch = info.web_search, info.web_fetch
            self.open_states[info.id] = state
        self.post_message(self.Opened(self, state))

    def keep(self, state: SessionState) -> None:
        """A session saved for the first time in this run: open from now on."""
        assert state.session_id is not None
        self.open_states[state.session_id] = state

    # -- what the sidebar asks for ------------------------------------------------------------

    @on(SessionSidebar.Requested)
    def _on_requested(self, message: SessionSidebar.Requested) -> None:
        message.stop()
        action, session_id = message.action, message.session_id
        if action == "open" and session_id is not None:
            self.post_message(self.Open(self, session_id))
        elif action == "new":
            self.post_message(self.New(self))
        elif action == "more":
            self._load_more()
        elif action == "undo":
            self.undo_delete()
        elif action == "rename" and session_id is not None:
            self._ask_rename(session_id)
        elif action == "delete" and session_id is not None:
            self._ask_delete(session_id)

    def _title_of(self, session_id: str) -> str:
        state = self.open_states.get(session_id)
        if state is not None and state.title:
            return state.title
        return next((s.title for s in self.sidebar.sessions if s.id == session_id), "")

    def _ask_rename(self, session_id: str) -> None:
        def done(title: str | None) -> None:
            if not title:
                return
            if session_id in self.open_states:
                self.open_states[session_id].title = title
            self.post_message(self.Renamed(self, session_id, title))
            self._in_store(
                lambda store: store.rename_session(session_id, title),
                lambda _: self.post_message(SessionsChanged()),
            )

        self.app.push_screen(RenameScreen(self._title_of(session_id)), done)

    def _ask_delete(self, session_id: str) -> None:
        title = self._title_of(session_id)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._delete_with_undo(session_id, title)

        self.app.push_screen(ConfirmDeleteScreen(title), done)

    def _delete_with_undo(self, session_id: str, title: str) -> None:
        self._commit_pending_delete()
        state = self.open_states.pop(session_id, None)
        self.post_message(self.Deleted(self, session_id, state))
        self.sidebar.remove_session(session_id)
        timer = self.set_timer(UNDO_SECONDS, self._commit_pending_delete)
        self._pending_delete = PendingDelete(session_id, title, timer, state)
        self.sidebar.show_undo(True)
        name = sanitize(title) or "Untitled"
        self.notify(f"Deleted “{name}”. Ctrl+Z or “Undo” in the sidebar brings it back.")

    def _commit_pending_delete(self) -> Worker[None] | None:
        pending, self._pending_delete = self._pending_delete, None
        if pending is None:
            return None
        pending.timer.stop()
        self.sidebar.show_undo(False)
        return in_store(
            self,
            self.store_path,
            lambda store: store.delete_session(pending.session_id),
            lambda _: self.post_message(SessionsChanged()),
        )

    def undo_delete(self) -> None:
        pending, self._pending_delete = self._pending_delete, None
        if pending is None:
            return
        pending.timer.stop()
        if pending.state is not None:
            self.open_states[pending.session_id] = pending.state
        self.sidebar.show_undo(False)
        self.reload()
        self.notify(f"Restored “{sanitize(pending.title) or 'Untitled'}”.")

    async def flush_pending_delete(self) -> None:
        """On quit: a deletion the user confirmed happens now, not never."""
        worker = self._commit_pending_delete()
        if worker is not None:
            await worker.wait()

    # -- keys ---------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """The search box takes the keys (the screen shows the sidebar first)."""
        self.sidebar.focus_search()
