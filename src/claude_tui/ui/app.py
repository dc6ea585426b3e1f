"""The Textual application: one chat screen, a quit that never leaves a stream behind."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from claude_tui.core.client import warm_up_sdk
from claude_tui.core.paths import key_file
from claude_tui.ui.markdown_render import warm_up_renderer
from claude_tui.ui.options import AppOptions
from claude_tui.ui.screens.chat import ChatScreen


class ClaudeTUI(App[None]):
    TITLE = "claude-tui"

    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.chat = ChatScreen(self.options, key_file=str(key_file()))

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    def on_mount(self) -> None:
        # Importing the SDK takes about a second: do it now, off the UI thread, so the first
        # reply does not pay for it.
        self.run_worker(warm_up_sdk, thread=True, name="warm-up", exit_on_error=False)
        self.run_worker(warm_up_renderer, thread=True, name="warm-up-md", exit_on_error=False)

    async def action_quit(self) -> None:
        self.chat.cancel_all()
        await self.chat.flush_pending_delete()
        self.exit()
