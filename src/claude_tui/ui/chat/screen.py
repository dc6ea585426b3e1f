"""The chat screen: layout, keys, and putting a session on screen.

Replies (``screens/replies.py``) and the sessions list (``sessions_panel.py``) are its base
classes; this module decides what the user sees: the widgets of the visible session's latest
turns, loading older ones on demand, and its status and metrics.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header

from claude_tui.core.config import Settings, price_overrides
from claude_tui.core.sanitize import sanitize
from claude_tui.ui.chat.replies import NO_KEY_HINT
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.chat.slash_commands import SlashCommands
from claude_tui.ui.options import AppOptions
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.conversation import WELCOME
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane


class ChatScreen(SlashCommands):
    CSS_PATH = "chat.tcss"

    BINDINGS = [
        Binding("escape", "escape", "Cancel reply", priority=True),
        Binding("ctrl+n", "new_conversation", "New", priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sessions", priority=True),
        Binding("ctrl+f", "search_sessions", "Search", priority=True),
        Binding("ctrl+z", "undo_delete", "Undo delete", show=False, priority=True),
        Binding("ctrl+r", "retry", "Retry", show=False, priority=True),
        Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, priority=True),
        Binding("ctrl+end", "follow", "Latest / follow the reply", show=False, priority=True),
        Binding("ctrl+home", "jump_to_start", "First message", show=False, priority=True),
        Binding("ctrl+o", "toggle_thinking", "Show/hide thinking", show=False, priority=True),
    ]

    def __init__(self, options: AppOptions, *, key_file: str = "") -> None:
        super().__init__()
        self.options = options
        self._replies: dict[int, SessionState] = {}
        if options.api.has_credentials:
            welcome, warning = WELCOME, False
        else:
            hint = NO_KEY_HINT.format(key_file=key_file or "the key file")
            welcome, warning = f"{WELCOME}\n\n{hint}", True
        self.turn_pane = TurnPane(welcome, warning=warning, id="turns")
        self._next_reply_id = 0
        self._key_file = key_file
        self._store_problem_shown = False
        self.ready = False
        """Set once every widget is mounted and the first session work has started."""

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield SessionsPanel(self.options.store_path)
            with Vertical(id="main"):
                yield self.turn_pane
                yield ReplyStatus(id="status")
                yield MetricsBar(refresh_rate=self.app.settings.refresh_rate, id="metrics")
                yield CommandCompletions(id="completions")
                yield PromptInput(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        # Nested containers finish mounting after the screen: start once they have.
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.ready = True
        prompt = self.query_one(PromptInput)
        prompt.focus()
        prompt.completion_choices = {"theme": sorted(self.app.available_themes)}
        sidebar = self.sessions_panel.sidebar
        sidebar.display = self.app.settings.show_sidebar and self.app.size.width >= 100
        self.watch(self.app, "settings", self.apply_settings)  # now, and on every change
        for notice in self.options.notices:
            self.notify(notice, title="Settings", severity="warning", timeout=12)
        self.sessions_panel.reload()
        if self.options.open_session_id:
            self.open_session(self.options.open_session_id)
        self._update_title()

    def apply_settings(self, settings: Settings) -> None:
        """Make the widgets follow the app's ``settings`` (at start-up and on each change)."""
        metrics = self.query_one(MetricsBar)
        metrics.display = settings.show_metrics
        metrics.prices = price_overrides(settings)
        metrics.set_refresh_rate(settings.refresh_rate)
        MarkdownView.cursor = settings.cursor
        self.show_model()
        self._update_title()

    def show_model(self) -> None:
        self.query_one(MetricsBar).set_model(self.session_settings(self.current).model)
        self._update_title()

    def _update_title(self) -> None:
        demo = " · demo (local server)" if self.options.demo else ""
        title = sanitize(self.current.title) or "New conversation"
        model = self.session_settings(self.current).model
        self.app.sub_title = f"{title} · {model}{demo}"

    # -- showing a session --------------------------------------------------------------------

    async def show_state(self, state: SessionState) -> None:
        """Put ``state`` on screen: widgets for its latest turns, its status and metrics."""
        await self.turn_pane.show_latest(state)
        metrics = state.last_metrics()
        if metrics is None:
            self.query_one(MetricsBar).reset()
        else:
            outcome = None if state.busy else self._last_outcome(state)
            self.query_one(MetricsBar).show(metrics, outcome=outcome)
        status = self.query_one(ReplyStatus)
        status.queued = len(state.queue)
        self._show_status(state)
        self.sessions_panel.show_current(state.session_id)
        self.show_model()

    @staticmethod
    def _last_outcome(state: SessionState) -> str | None:
        for turn in reversed(state.conversation.turns):
            if turn.role == "assistant":
                return turn.status.value
        return None

    # -- actions ------------------------------------------------------------------------------

    async def action_escape(self) -> None:
        """Esc stops the visible session's reply, and prompts queued behind it go back into
        the input rather than out to the model; with no reply in flight, it cancels an
        ``/edit``, or leaves the sidebar."""
        state = self.current
        if self.query_one(PromptInput).close_completions():
            return  # Esc first closes the command menu
        if state.reply is not None:
            state.reply.runner.cancel()
            if state.queue:
                await self._unqueue(state)
        elif self.cancel_edit():
            pass
        elif self.sessions_panel.has_focus_within:
            self.query_one(PromptInput).focus()

    async def _unqueue(self, state: SessionState) -> None:
        texts, state.queue = state.queue, []
        await self.turn_pane.remove_queued()
        prompt = self.query_one(PromptInput)
        prompt.load_text("\n\n".join([*texts, prompt.text] if prompt.text.strip() else texts))
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self.query_one(ReplyStatus).queued = 0
        count = f"{len(texts)} queued prompt{'s' if len(texts) > 1 else ''}"
        self.notify(f"{count} moved back to the input, not sent.")

    def action_scroll_conversation(self, direction: int) -> None:
        self.turn_pane.scroll_page(direction)

    async def action_follow(self) -> None:
        await self.turn_pane.show_end()

    async def action_jump_to_start(self) -> None:
        await self.turn_pane.show_start()

    def action_toggle_thinking(self) -> None:
        """Open (or fold) the thinking block of the latest reply that has one."""
        if not self.turn_pane.toggle_thinking():
            self.notify("No reply on screen has a thinking block.", timeout=3)

    async def action_retry(self) -> None:
        """Send the last prompt again (after an error, a cancel, or a reply you want anew).

        The failed or partial reply stays where it is, in the session and in the history the
        retry sends (prompt, partial reply, prompt again: a history the API accepts)."""
        state = self.current
        if state.busy:
            self.notify("A reply is still streaming: Esc stops it first.", timeout=4)
            return
        turns = state.conversation.turns
        last = next((t for t in reversed(turns) if t.role == "user"), None)
        if last is None:
            self.notify("Nothing to retry yet.", timeout=3)
            return
        await self.turn_pane.remove_welcome()
        # After a reply that produced no text, the prompt is still the last thing the model
        # would see: answer it again rather than send it twice.
        after = turns[turns.index(last) + 1 :]
        answered = any(t.text.strip() for t in after)
        await self._start_reply(state, last.text, new_prompt=answered)

    # -- the sessions panel ---------------------------------------------------------------------

    def open_session(self, session_id: str) -> None:
        """Show a saved session (``SessionsPanel.Opened`` comes back with its state)."""
        self.sessions_panel.open(session_id)

    @on(SessionsPanel.Open)
    def _on_open(self, message: SessionsPanel.Open) -> None:
        self.open_session(message.session_id)
        self.query_one(PromptInput).focus()

    @on(SessionsPanel.Opened)
    async def _on_opened(self, message: SessionsPanel.Opened) -> None:
        await self.show_state(message.state)

    @on(SessionsPanel.New)
    async def _on_new(self) -> None:
        await self.show_state(SessionState())
        self.query_one(PromptInput).focus()

    @on(SessionsPanel.Renamed)
    def _on_renamed(self, message: SessionsPanel.Renamed) -> None:
        if self.current.session_id == message.session_id:
            self._update_title()

    @on(SessionsPanel.Deleted)
    async def _on_deleted(self, message: SessionsPanel.Deleted) -> None:
        state = message.state
        if state is not None and state.reply is not None:
            state.reply.runner.cancel()
        if self.current.session_id == message.session_id:
            await self.show_state(SessionState())

    def action_toggle_sidebar(self) -> None:
        shown = self.sessions_panel.toggle()
        self.app.update_settings(show_sidebar=shown)  # saved to config.toml
        if not shown and self.sessions_panel.has_focus_within:
            self.query_one(PromptInput).focus()

    def action_search_sessions(self) -> None:
        self.sessions_panel.focus_search()

    def action_undo_delete(self) -> None:
        self.sessions_panel.undo_delete()

    async def action_new_conversation(self) -> None:
        """A fresh conversation; a reply streaming in the old one goes on and is saved."""
        await self.show_state(SessionState())
        self.query_one(PromptInput).focus()
