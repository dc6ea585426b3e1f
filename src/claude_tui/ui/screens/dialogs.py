"""Small modal dialogs: rename a session, confirm a deletion."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from claude_tui.core.sanitize import sanitize


def dialog_css(name: str) -> str:
    """The shared look of a dialog, for the screen class ``name`` (screen CSS is scoped)."""
    return f"""
    {name} {{
        align: center middle;
        background: $background 60%;
        & > Vertical {{
            width: 64; max-width: 95%; height: auto;
            border: thick $primary; background: $surface; padding: 1 2;
        }}
        & .title {{ text-style: bold; margin-bottom: 1; }}
        & Horizontal {{ height: auto; align-horizontal: right; margin-top: 1; }}
        & Button {{ margin-left: 1; }}
    }}
    """


class RenameScreen(ModalScreen[str | None]):
    """Asks for a new title; dismisses with it, or with ``None`` on Esc."""

    DEFAULT_CSS = dialog_css("RenameScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", priority=True)]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Rename session", classes="title")
            yield Input(value=sanitize(self._title), id="rename-input")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Rename", id="ok", variant="primary")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _save(self) -> None:
        title = self.query_one(Input).value.strip()
        self.dismiss(title or None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmDeleteScreen(ModalScreen[bool]):
    """Confirms a deletion; Enter or y deletes, Esc or n keeps."""

    DEFAULT_CSS = dialog_css("ConfirmDeleteScreen")
    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "Keep", priority=True),
        Binding("y", "dismiss(True)", "Delete", priority=True),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Delete session?", classes="title")
            name = sanitize(self._title) or "Untitled"
            yield Static(Content(f"“{name}” will be deleted. You can undo it for a few seconds."))
            with Horizontal():
                yield Button("Keep (n)", id="cancel")
                yield Button("Delete (y)", id="ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def _delete(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _keep(self) -> None:
        self.dismiss(False)
