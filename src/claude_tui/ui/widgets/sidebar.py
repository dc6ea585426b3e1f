"""The sessions sidebar: every saved conversation, newest first, searchable.

It holds only metadata, a page at a time, and does no I/O: it asks the sessions panel (which
runs the database work in thread workers) with messages, and the panel hands it rows to show.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from claude_tui.core.sanitize import sanitize
from claude_tui.core.store import SessionInfo
from claude_tui.core.timefmt import relative_time
from claude_tui.ui.textual_private import ScrollbarInTheSameFrame

PAGE_SIZE = 100
TITLE_CELLS = 25
"""Room for a title on one line of the sidebar."""
LOAD_MORE_MARGIN = 15
"""Ask for the next page when the highlight comes this close to the end of the list."""


class SidebarAction(Static):
    """A small clickable label (New, Rename, Delete) that does what its key does."""

    DEFAULT_CSS = """
    SidebarAction { width: auto; padding: 0 1; color: $text-muted; }
    SidebarAction:hover { color: $text; background: $boost; }
    """

    def __init__(self, label: str, action: str, *, id: str | None = None) -> None:
        super().__init__(label, id=id, markup=False)
        self.action_name = action

    def on_click(self) -> None:
        sidebar = next(a for a in self.ancestors if isinstance(a, SessionSidebar))
        sidebar.request(self.action_name)


class SessionList(ScrollbarInTheSameFrame, OptionList):
    """The sessions, two lines each; its scrollbar is drawn in the frame of the layout that
    moved it, never in a frame of its own (``ScrollbarInTheSameFrame``)."""

    BINDINGS = [
        Binding("r,f2", "request('rename')", "Rename", show=False),
        Binding("d,delete", "request('delete')", "Delete", show=False),
    ]

    def action_request(self, action: str) -> None:
        sidebar = next(a for a in self.ancestors if isinstance(a, SessionSidebar))
        sidebar.request(action)


class SessionSidebar(Vertical):
    DEFAULT_CSS = """
    SessionSidebar {
        width: 32;
        height: 1fr;
        background: $panel;
        border-right: vkey $primary 30%;
        & > #sidebar-actions { height: 1; }
        & > Input { border: none; height: 1; padding: 0 1; margin: 0 0 1 0; }
        & > Input:focus { border: none; background: $boost; }
        & > SessionList { height: 1fr; border: none; background: $panel; padding: 0; }
        & > #undo-delete { display: none; width: 100%; background: $warning 30%; color: $text; }
        & > #undo-delete.visible { display: block; }
    }
    """

    @dataclass
    class Requested(Message):
        """The user asked for ``action`` (open, new, rename, delete, more) on ``session_id``."""

        sidebar: SessionSidebar
        action: str
        session_id: str | None

        @property
        def control(self) -> SessionSidebar:
            return self.sidebar

    @dataclass
    class SearchChanged(Message):
        sidebar: SessionSidebar
        query: str

        @property
        def control(self) -> SessionSidebar:
            return self.sidebar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sessions: list[SessionInfo] = []
        self.active: set[str] = set()
        """Sessions with a reply streaming in this app right now."""
        self.current_id: str | None = None
        self.query_text = ""
        self.exhausted = False
        """No more pages to ask for."""
        self._more_requested = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="sidebar-actions"):
            yield SidebarAction("+ New", "new", id="action-new")
            yield SidebarAction("Rename", "rename", id="action-rename")
            yield SidebarAction("Delete", "delete", id="action-delete")
        yield Input(placeholder="Search  (ctrl+f)", id="session-search")
        yield SessionList(id="session-list")
        yield SidebarAction("↶ Undo delete  (ctrl+z)", "undo", id="undo-delete")

    # -- what to show -------------------------------------------------------------------------

    def set_sessions(self, sessions: list[SessionInfo], *, append: bool, exhausted: bool) -> None:
        option_list = self.query_one(SessionList)
        highlighted_id = self.highlighted_id
        if append:
            known = {s.id for s in self.sessions}
            fresh = [s for s in sessions if s.id not in known]
            self.sessions.extend(fresh)
            option_list.add_options([self._option(s) for s in fresh])
        else:
            self.sessions = list(sessions)
            option_list.clear_options()
            option_list.add_options([self._option(s) for s in self.sessions])
            self._highlight(self.current_id or highlighted_id)
        self.exhausted = exhausted
        self._more_requested = False

    def set_active(self, active: set[str]) -> None:
        if active == self.active:
            return
        changed = active ^ self.active
        self.active = set(active)
        option_list = self.query_one(SessionList)
        for info in self.sessions:
            if info.id in changed:
                option_list.replace_option_prompt(info.id, self._prompt(info))

    def set_current(self, session_id: str | None) -> None:
        self.current_id = session_id
        self._highlight(session_id)

    def show_undo(self, visible: bool) -> None:
        self.query_one("#undo-delete").set_class(visible, "visible")

    def remove_session(self, session_id: str) -> None:
        self.sessions = [s for s in self.sessions if s.id != session_id]
        option_list = self.query_one(SessionList)
        if any(o.id == session_id for o in option_list.options):
            option_list.remove_option(session_id)

    @property
    def highlighted_id(self) -> str | None:
        option_list = self.query_one(SessionList)
        index = option_list.highlighted
        if index is None or index >= option_list.option_count:
            return None
        return option_list.get_option_at_index(index).id

    def _highlight(self, session_id: str | None) -> None:
        option_list = self.query_one(SessionList)
        if session_id is None:
            if option_list.highlighted is None and option_list.option_count:
                option_list.highlighted = 0  # keys act on something from the start
            return
        # not on the loaded pages: leave the highlight where it is
        with contextlib.suppress(OptionDoesNotExist):
            option_list.highlighted = option_list.get_option_index(session_id)

    def _prompt(self, info: SessionInfo) -> Text:
        title = sanitize(info.title) or "Untitled"
        live = info.id in self.active or info.streaming
        room = TITLE_CELLS - (2 if live else 0)
        if cell_len(title) > room:
            title = set_cell_size(title, room - 1) + "…"
        text = Text(no_wrap=True, overflow="ellipsis")
        if live:
            text.append("● ", style="bold green")
        text.append(title, style="bold")
        text.append("\n")
        detail = f"{relative_time(info.updated_at)} · {info.message_count} msg"
        if live:
            detail += " · streaming"
        text.append(detail, style="dim")
        return text

    def _option(self, info: SessionInfo) -> Option:
        return Option(self._prompt(info), id=info.id)

    # -- what the user does -------------------------------------------------------------------

    def request(self, action: str, session_id: str | None = None) -> None:
        target = session_id if session_id is not None else self.highlighted_id
        if action in ("rename", "delete") and target is None:
            return
        self.post_message(self.Requested(self, action, target))

    def focus_search(self) -> None:
        self.query_one("#session-search", Input).focus()

    @on(OptionList.OptionSelected, "#session-list")
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.request("open", event.option.id)

    @on(OptionList.OptionHighlighted, "#session-list")
    def _on_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        near_end = event.option_index >= len(self.sessions) - LOAD_MORE_MARGIN
        if near_end and not self.exhausted and not self._more_requested and not self.query_text:
            self._more_requested = True
            self.post_message(self.Requested(self, "more", None))

    @on(Input.Changed, "#session-search")
    def _on_search(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.post_message(self.SearchChanged(self, self.query_text))

    @on(Input.Submitted, "#session-search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(SessionList).focus()
