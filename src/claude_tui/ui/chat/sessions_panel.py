"""The sessions side of the chat screen: the sidebar's pages, opening, renaming and deleting.

Every database read or write runs in a thread worker on its own connection and reports back
with a message, so a list of 10,000 sessions or a slow disk never stalls typing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from textual import getters
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from claude_tui.core.sanitize import sanitize
from claude_tui.core.store import SessionInfo, SessionStore, StoreError
from claude_tui.core.store.history import conversation_from_stored
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.messages import SessionLoaded, SessionsChanged, SessionsListed, StoreProblem
from claude_tui.ui.options import AppOptions
from claude_tui.ui.screens.dialogs import ConfirmDeleteScreen, RenameScreen
from claude_tui.ui.widgets.prompt import PromptInput
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


class SessionsPanel(Screen[None]):
    """Base of the chat screen: everything about the list of saved sessions."""

    app = getters.app(ClaudeTUI)
    options: AppOptions
    current: SessionState
    states: dict[str, SessionState]
    _pending_delete: PendingDelete | None = None
    _reloads_asked = 0
    """Reloads of the sidebar's list asked for so far (see ``SessionsListed.serial``)."""
    _reload_shown = 0
    """The newest reload whose list the sidebar shows."""

    async def show_state(self, state: SessionState) -> None:
        raise NotImplementedError

    # -- running store work off the UI thread -------------------------------------------------

    def _in_store(
        self,
        job: Callable[[SessionStore], T],
        then: Callable[[T], object],
        on_error: Callable[[str], object] | None = None,
        *,
        expected: tuple[type[Exception], ...] = (),
    ) -> Worker[None]:
        """Run ``job`` with a store in a worker thread; ``then`` posts its result back.

        This is the one way store work leaves the event loop, so each caller says what a
        failure means to the user: ``on_error`` gets the text of a ``StoreError`` (or of one of
        the ``expected`` errors the job may also raise: a file it cannot write, a session gone
        meanwhile) and tells them. Without it the failure is posted as a ``StoreProblem``
        (sessions are not being saved), as the sidebar's own work always was. Both callbacks
        run in the worker thread, so they reach the UI by a message or ``call_from_thread``.
        """
        path = self.options.store_path
        caught: tuple[type[Exception], ...] = (StoreError, *expected)

        def work() -> None:
            try:
                store = SessionStore.open(path)
                try:
                    result = job(store)
                finally:
                    store.close()
            except caught as error:
                # an OSError's reason without its errno and file name, which the caller says
                text = getattr(error, "strerror", None) or str(error)
                if on_error is None:
                    self.post_message(StoreProblem(text))
                else:
                    on_error(text)
                return
            then(result)

        return self.run_worker(work, thread=True, group="store", exit_on_error=False)

    # -- the list -----------------------------------------------------------------------------

    def reload_sessions(self) -> None:
        """Read the sidebar's list again (as many rows as it shows, at least a page)."""
        sidebar = self.query_one(SessionSidebar)
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
        sidebar = self.query_one(SessionSidebar)
        if not sidebar.sessions:
            return
        last = sidebar.sessions[-1]
        before = (last.updated_at, last.id)

        def then(rows: list[SessionInfo]) -> None:
            exhausted = len(rows) < PAGE_SIZE
            self.post_message(SessionsListed(rows, append=True, exhausted=exhausted, query=""))

        self._in_store(lambda store: store.list_sessions(limit=PAGE_SIZE, before=before), then)

    def on_sessions_listed(self, message: SessionsListed) -> None:
        sidebar = self.query_one(SessionSidebar)
        if message.query != sidebar.query_text:
            return  # an answer to a search the user has already changed
        if not message.append:
            if message.serial < self._reload_shown:
                return  # a reload that finished after a newer one: its list is older
            self._reload_shown = message.serial
        pending = self._pending_delete
        rows = [s for s in message.sessions if pending is None or s.id != pending.session_id]
        sidebar.set_sessions(rows, append=message.append, exhausted=message.exhausted)

    def on_sessions_changed(self, message: SessionsChanged) -> None:
        self.reload_sessions()

    def on_session_sidebar_search_changed(self, message: SessionSidebar.SearchChanged) -> None:
        self.reload_sessions()

    # -- opening ------------------------------------------------------------------------------

    def open_session(self, session_id: str) -> None:
        state = self.states.get(session_id)
        if state is not None:
            self.call_later(self.show_state, state)
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

    async def on_session_loaded(self, message: SessionLoaded) -> None:
        info = message.info
        state = self.states.get(info.id)
        if state is None:
            state = SessionState(info.id, info.title, message.conversation)
            state.model, state.system = info.model or None, info.system  # the session keeps them
            self.states[info.id] = state
        await self.show_state(state)

    # -- sidebar requests ---------------------------------------------------------------------

    async def on_session_sidebar_requested(self, message: SessionSidebar.Requested) -> None:
        action, session_id = message.action, message.session_id
        if action == "open" and session_id is not None:
            self.open_session(session_id)
            self.query_one(PromptInput).focus()
        elif action == "new":
            await self.show_state(SessionState())
            self.query_one(PromptInput).focus()
        elif action == "more":
            self._load_more()
        elif action == "undo":
            self.action_undo_delete()
        elif action == "rename" and session_id is not None:
            self._ask_rename(session_id)
        elif action == "delete" and session_id is not None:
            self._ask_delete(session_id)

    def _title_of(self, session_id: str) -> str:
        if session_id in self.states and self.states[session_id].title:
            return self.states[session_id].title
        sidebar = self.query_one(SessionSidebar)
        return next((s.title for s in sidebar.sessions if s.id == session_id), "")

    def _ask_rename(self, session_id: str) -> None:
        def done(title: str | None) -> None:
            if not title:
                return
            if session_id in self.states:
                self.states[session_id].title = title
            if self.current.session_id == session_id:
                self._update_title()
            self._in_store(
                lambda store: store.rename_session(session_id, title),
                lambda _: self.post_message(SessionsChanged()),
            )

        self.app.push_screen(RenameScreen(self._title_of(session_id)), done)

    def _ask_delete(self, session_id: str) -> None:
        title = self._title_of(session_id)

        async def done(confirmed: bool | None) -> None:
            if confirmed:
                await self._delete_with_undo(session_id, title)

        self.app.push_screen(ConfirmDeleteScreen(title), done)

    async def _delete_with_undo(self, session_id: str, title: str) -> None:
        self._commit_pending_delete()
        state = self.states.pop(session_id, None)
        if state is not None and state.reply is not None:
            state.reply.runner.cancel()
        sidebar = self.query_one(SessionSidebar)
        sidebar.remove_session(session_id)
        if self.current.session_id == session_id:
            await self.show_state(SessionState())
        timer = self.set_timer(UNDO_SECONDS, self._commit_pending_delete)
        self._pending_delete = PendingDelete(session_id, title, timer, state)
        sidebar.show_undo(True)
        name = sanitize(title) or "Untitled"
        self.notify(f"Deleted “{name}”. Ctrl+Z or “Undo” in the sidebar brings it back.")

    def _commit_pending_delete(self) -> Worker[None] | None:
        pending, self._pending_delete = self._pending_delete, None
        if pending is None:
            return None
        pending.timer.stop()
        self.query_one(SessionSidebar).show_undo(False)
        return self._in_store(
            lambda store: store.delete_session(pending.session_id),
            lambda _: self.post_message(SessionsChanged()),
        )

    def action_undo_delete(self) -> None:
        pending, self._pending_delete = self._pending_delete, None
        if pending is None:
            return
        pending.timer.stop()
        if pending.state is not None:
            self.states[pending.session_id] = pending.state
        self.query_one(SessionSidebar).show_undo(False)
        self.reload_sessions()
        self.notify(f"Restored “{sanitize(pending.title) or 'Untitled'}”.")

    async def flush_pending_delete(self) -> None:
        """On quit: a deletion the user confirmed happens now, not never."""
        worker = self._commit_pending_delete()
        if worker is not None:
            await worker.wait()

    # -- keys ---------------------------------------------------------------------------------

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(SessionSidebar)
        sidebar.display = not sidebar.display
        self.app.update_settings(show_sidebar=bool(sidebar.display))  # saved to config.toml
        if not sidebar.display and self.focused is not None and sidebar in self.focused.ancestors:
            self.query_one(PromptInput).focus()

    def action_search_sessions(self) -> None:
        sidebar = self.query_one(SessionSidebar)
        sidebar.display = True
        sidebar.focus_search()

    def _update_title(self) -> None:
        raise NotImplementedError
