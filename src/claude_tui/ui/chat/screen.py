"""The chat screen: its layout, its keys, and the wiring between its parts.

The parts do the work: the turn pane shows the session on screen (``widgets/turn_pane.py``),
the sessions panel lists, opens and deletes sessions (``widgets/sessions_panel.py``), the reply
controller runs replies (``reply_controller.py``) and the slash commands have their handlers
(``commands/``). The screen puts them side by side, turns keys into calls on them, and passes
on what one part tells it to the others.
"""

from __future__ import annotations

from functools import partial

from textual import events, getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Offset
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.worker import Worker

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.config import Settings, price_overrides
from claude_tui.core.context_window import context_now
from claude_tui.core.prompt import Prompt
from claude_tui.core.slash import Command, Unknown, parse
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.capability_refresh import CapabilityRefresh
from claude_tui.ui.chat.attachments import Attachments
from claude_tui.ui.chat.attachments_send import AttachmentCheck
from claude_tui.ui.chat.commands import run_command
from claude_tui.ui.chat.copying import copy_selected, offset_on_demand
from claude_tui.ui.chat.escape import press_escape
from claude_tui.ui.chat.keys import CHAT_BINDINGS
from claude_tui.ui.chat.model_fit import ModelFit
from claude_tui.ui.chat.reply_controller import ReplyController
from claude_tui.ui.chat.screen_fit import ScreenFit
from claude_tui.ui.chat.send_guard import SendGuard
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.chat.sidebar_layout import SidebarLayout
from claude_tui.ui.chat.stray_keys import redirect_key, redirect_paste
from claude_tui.ui.messages import ReplyEvent, SessionSaved, StoreProblem, TurnsSaved
from claude_tui.ui.options import AppOptions
from claude_tui.ui.textual_private import BandCompositor
from claude_tui.ui.widgets.attachment_tray import AttachmentTray
from claude_tui.ui.widgets.column import ChatColumn
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.conversation import WELCOME
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane

NO_KEY_HINT = (
    "No API key found. Set ANTHROPIC_API_KEY (or put the key in {key_file}) and start again, "
    "or run `claude-tui --demo` to try everything offline."
)


class ChatScreen(Screen[None]):
    # DEFAULT_CSS, not a CSS_PATH file: Textual does not read the CSS_PATH of an app's default
    # screen (``get_default_screen``), so a chat.tcss here was never applied.
    DEFAULT_CSS = """
    ChatScreen { layout: vertical; }
    ChatScreen > #body {
        height: 1fr;
        layers: default overlay;
        /* Narrow screens: the sidebar Ctrl+B shows lies over the conversation instead of
           squeezing it (see sidebar_layout.py). */
        & > SessionsPanel.overlay { layer: overlay; dock: left; height: 1fr; }
        & > #main { width: 1fr; height: 1fr; }
    }
    """

    BINDINGS = CHAT_BINDINGS

    app = getters.app(ClaudeTUI)

    def __init__(self, options: AppOptions, *, key_file: str = "") -> None:
        super().__init__()
        self._compositor = BandCompositor()  # a streaming frame draws only the rows it changed
        self.options = options
        self.key_file = key_file
        if options.api.has_credentials:
            welcome, warning = WELCOME, False
        else:
            welcome, warning = f"{WELCOME}\n\n{self.no_key_hint}", True
        # The parts, made here (not in ``compose``) so they are there from the start: quitting
        # stops replies and commits a pending delete even before the screen is composed.
        self.turn_pane = TurnPane(welcome, warning=warning, id="turns")
        self.sessions_panel = SessionsPanel(options.store_path, id="sessions")
        self.reply_status = ReplyStatus(id="status")
        self.metrics_bar = MetricsBar(id="metrics")
        self.prompt_input = PromptInput(id="prompt")
        self.column = ChatColumn(id="main")
        self.attachments = Attachments(self, AttachmentTray(id="attachments"))
        self.attachment_check = AttachmentCheck(self, self.attachments)
        self.replies = ReplyController(self, self.turn_pane, self.reply_status, self.metrics_bar)
        self.send_guard = SendGuard(self)
        self.sidebar_layout = SidebarLayout(self.sessions_panel)
        self.fit = ScreenFit(self)
        self.model_fit = ModelFit(self)
        self._store_problem_shown = False
        self.ready = False
        """Set once every widget is mounted and the first session work has started."""

    @property
    def current(self) -> SessionState:
        """The session on screen."""
        return self.turn_pane.state

    @property
    def no_key_hint(self) -> str:
        return NO_KEY_HINT.format(key_file=self.key_file or "the key file")

    def session_settings(self, state: SessionState) -> Settings:
        """What ``state``'s next request is sent with: the app's settings, and its own."""
        return state.settings_over(self.app.settings)

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield self.sessions_panel
            with self.column:
                yield self.turn_pane
                yield self.reply_status
                yield self.metrics_bar
                yield CommandCompletions(id="completions")
                yield self.attachments.tray
                yield self.prompt_input
        yield Footer()

    def on_mount(self) -> None:
        # Nested containers finish mounting after the screen: start once they have.
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.ready = True
        prompt = self.prompt_input
        prompt.focus()
        prompt.completion_choices = {"theme": sorted(self.app.available_themes)}
        self.sidebar_layout.fit(self.app.size.width, self.app.settings.show_sidebar)
        self.watch(self, "focused", self.sidebar_layout.focus_moved, init=False)
        self.watch(self.app, "settings", self.apply_settings)  # now, and on every change
        self.watch(self.app, "theme", self.fit.column, init=False)
        for notice in self.options.notices:
            self.notify(notice, title="Settings", severity="warning", timeout=12)
        self.sessions_panel.reload()
        if self.options.open_session_id:
            self.open_session(self.options.open_session_id)
        self.fit.title()

    def apply_settings(self, settings: Settings) -> None:
        """Make the widgets follow the app's ``settings`` (at start-up and on each change)."""
        metrics = self.metrics_bar
        metrics.display = settings.show_metrics
        metrics.prices = price_overrides(settings)
        metrics.web_search_price = settings.web_search_price
        self.replies.set_refresh_rate(settings.refresh_rate)  # a reply in flight too
        MarkdownView.cursor = settings.cursor
        self.show_model()
        self.fit.column()

    def show_model(self) -> None:
        """Tell the metrics line (and the title) which model the session uses. Asking for its
        capabilities (``model_fit``) starts their lookup when what is known is the built-in
        table's or stale; :meth:`capabilities_updated` hears the answer."""
        self.model_fit.follow(self.session_settings(self.current))
        self.fit.title()

    @on(CapabilityRefresh.Updated)
    def _on_capabilities(self, message: CapabilityRefresh.Updated) -> None:
        if message.capabilities.model == self.session_settings(self.current).model:
            self.capabilities_updated(message.capabilities)

    def capabilities_updated(self, caps: ModelCapabilities) -> None:
        """What is known of the model in use changed (the Models API answered, a lookup failed,
        or the disk cache was read): whatever on this screen depends on it (the context
        window the metrics line measures against) follows here. ``app.capabilities(model)``
        gives the same answer from now on."""
        self.model_fit.follow(self.session_settings(self.current))

    async def show_state(self, state: SessionState) -> None:
        """Put ``state`` on screen: widgets for its latest turns, its status and metrics."""
        await self.turn_pane.show_latest(state)
        metrics = state.last_metrics()
        if metrics is None:
            self.metrics_bar.reset()
        else:
            outcome = None if state.busy else self._last_outcome(state)
            context = None if state.busy else context_now(state.conversation.turns)
            self.metrics_bar.show(metrics, outcome=outcome, context=context)
        self.reply_status.queued = len(state.queue)
        self.replies.show_status(state)
        self.sessions_panel.show_current(state.session_id)
        self.show_model()
        self.refresh_bindings()  # another session: another reply to stop or retry

    @staticmethod
    def _last_outcome(state: SessionState) -> str | None:
        for turn in reversed(state.conversation.turns):
            if turn.role == "assistant":
                return turn.status.value
        return None

    # -- the input ----------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submitted(self, message: PromptInput.Submitted) -> None:
        parsed = parse(message.text)
        if isinstance(parsed, Command | Unknown):
            # never sent to the model; the input keeps the text if the command failed
            if await run_command(self, parsed):
                message.prompt_input.remember(message.text)
            return
        if not self.options.api.has_credentials:
            self.notify(self.no_key_hint, title="Cannot send", severity="error", timeout=8)
            return  # the prompt stays in the input: nothing is lost
        attached = self.attachment_check.ready(parsed.text, message.prompt_input)
        if attached is None:
            return  # a file still being read, or changed: the prompt and chips stay
        outgoing = Prompt(parsed.text, attached)  # // sends a literal /
        if not self.send_guard.allows(self.current, outgoing, message.prompt_input):
            return  # over the context window, or being counted: still in the input
        message.prompt_input.remember(message.text)
        self.attachments.clear()
        await self.replies.submit(self.current, outgoing)

    @on(PromptInput.PathsPasted)
    def _on_paths_pasted(self, message: PromptInput.PathsPasted) -> None:
        self.attachments.add_pasted(message.words, message.offset)

    @on(PromptInput.BackspaceAtStart)
    def _on_backspace_at_start(self) -> None:
        self.attachments.backspace()

    @on(AttachmentTray.Remove)
    def _on_remove_chip(self, message: AttachmentTray.Remove) -> None:
        self.attachments.remove(message.key)
        self.prompt_input.focus()

    async def run_slash(self, line: str) -> None:
        """Run ``line`` as if typed (the command palette's entries use this)."""
        parsed = parse(line)
        if isinstance(parsed, Command | Unknown):
            await run_command(self, parsed)

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which of a key's two bindings is live (see ``BINDINGS``): the footer shows "Stop"
        only while a reply streams or a retry waits, "Continue" on a cut reply, "Retry" only
        when there is something to send again. ``False`` hides a binding and passes its key
        to the next one."""
        if action == "stop":
            return self.current.reply is not None
        if action == "continue_reply":
            return self.replies.can_continue(self.current)
        if action == "retry":
            return self.replies.can_retry(self.current) and not self.replies.can_continue(
                self.current
            )
        return True

    async def action_stop(self) -> None:
        await self.action_escape()

    async def action_escape(self) -> None:
        await press_escape(self)

    def action_copy(self) -> None:
        copy_selected(self)

    def get_widget_and_offset_at(self, x: int, y: int) -> tuple[Widget | None, Offset | None]:
        """Where a mouse selection is: the Markdown view gives its offsets only when asked
        (see ``copying.offset_on_demand``)."""
        return offset_on_demand(*super().get_widget_and_offset_at(x, y), x, y)

    def action_scroll_conversation(self, direction: int) -> None:
        self.turn_pane.scroll_page(direction)

    async def action_follow(self) -> None:
        await self.turn_pane.show_end()

    async def action_jump_to_start(self) -> None:
        await self.turn_pane.show_start()

    def action_toggle_thinking(self) -> None:
        """Open (or fold) the thinking block (or summary) of the latest reply that has one."""
        if not self.turn_pane.toggle_thinking():
            self.notify("No reply on screen has a thinking block or a summary.", timeout=3)

    async def action_retry(self) -> None:
        """Ctrl+R, by whichever of its bindings is shown (Retry, Continue, or the one that is
        not, whose press the controller answers by saying why there is nothing to retry)."""
        await self.replies.retry(self.current)

    action_continue_reply = action_explain_retry = action_retry

    def on_key(self, event: events.Key) -> None:
        """A letter typed in the conversation (after a click there) goes to the prompt."""
        reading = (self.turn_pane, self.metrics_bar, self.reply_status)
        redirect_key(event, self.focused, reading, self.prompt_input, self.active_bindings)

    def on_paste(self, event: events.Paste) -> None:
        reading = (self.turn_pane, self.metrics_bar, self.reply_status)
        redirect_paste(event, self.focused, reading, self.prompt_input)

    def on_resize(self, event: events.Resize) -> None:
        self.fit.width(event.size.width)

    def on_screen_resume(self) -> None:
        """Back from a dialog: the terminal may have been resized under it."""
        if self.ready:
            self.fit.width(self.app.size.width)

    async def action_new_conversation(self) -> None:
        """A fresh conversation; a reply streaming in the old one goes on and is saved."""
        await self.show_state(SessionState())
        self.prompt_input.focus()

    def action_toggle_sidebar(self) -> None:
        shown = self.sidebar_layout.toggle()
        if shown is not None:  # beside the chat: the preference, saved to config.toml
            self.app.update_settings(show_sidebar=shown)
        if not self.sidebar_layout.shown and self.sessions_panel.has_focus_within:
            self.prompt_input.focus()

    def action_search_sessions(self) -> None:
        self.sidebar_layout.reveal()
        self.sessions_panel.focus_search()

    def action_undo_delete(self) -> None:
        self.sessions_panel.undo_delete()

    # -- what the sessions panel says ---------------------------------------------------------

    def open_session(self, session_id: str) -> None:
        """Show a saved session (``SessionsPanel.Opened`` comes back with its state)."""
        self.sessions_panel.open(session_id)

    @on(SessionsPanel.Open)
    def _on_open(self, message: SessionsPanel.Open) -> None:
        self.open_session(message.session_id)
        self.sidebar_layout.hide_overlay()
        self.prompt_input.focus()

    @on(SessionsPanel.Opened)
    async def _on_opened(self, message: SessionsPanel.Opened) -> None:
        await self.show_state(message.state)

    @on(SessionsPanel.New)
    async def _on_new(self) -> None:
        self.sidebar_layout.hide_overlay()
        await self.action_new_conversation()

    @on(SessionsPanel.Renamed)
    def _on_renamed(self, message: SessionsPanel.Renamed) -> None:
        if self.current.session_id == message.session_id:
            self.fit.title()

    @on(SessionsPanel.Deleted)
    async def _on_deleted(self, message: SessionsPanel.Deleted) -> None:
        if message.state is not None:
            self.replies.cancel(message.state)
        if self.current.session_id == message.session_id:
            await self.show_state(SessionState())

    # -- the replies: their workers' messages in, what the controller tells -----------------

    @on(ReplyEvent)
    async def _on_reply_event(self, message: ReplyEvent) -> None:
        await self.replies.take_event(message)

    @on(SessionSaved)
    def _on_session_saved(self, message: SessionSaved) -> None:
        self.replies.take_saved(message)

    @on(TurnsSaved)
    def _on_turns_saved(self, message: TurnsSaved) -> None:
        self.replies.take_saved_turns(message)

    @on(Worker.StateChanged)
    async def _on_worker_state(self, event: Worker.StateChanged) -> None:
        await self.replies.take_worker_state(event)

    def reply_started(self, state: SessionState) -> None:
        self.replies.in_next_frame(self._reply_shown_started)

    def _reply_shown_started(self) -> None:
        self.sessions_panel.show_active(self.replies.active_session_ids())
        self.refresh_bindings()  # "Stop" shows, "Retry" goes

    def reply_saved(self, state: SessionState, *, first: bool) -> None:
        """``first``: the reply began the session, which is open in this run from now on.
        What this changes on screen waits for the streaming clock's next frame."""
        if first:
            self.sessions_panel.keep(state)
            self.replies.in_next_frame(partial(self._reply_shown_saved, state))
        self.sessions_panel.reload()

    def _reply_shown_saved(self, state: SessionState) -> None:
        if state is self.current:
            self.sessions_panel.show_current(state.session_id)
            self.fit.title()
        self.sessions_panel.show_active(self.replies.active_session_ids())

    def reply_ended(self, state: SessionState) -> None:
        self.sessions_panel.show_active(self.replies.active_session_ids())
        self.sessions_panel.reload()
        self.refresh_bindings()

    @on(StoreProblem)
    def _on_store_problem(self, message: StoreProblem) -> None:
        """From any part's store work: told once, and the chat goes on."""
        if self._store_problem_shown:
            return
        self._store_problem_shown = True
        self.notify(
            f"Sessions are not being saved: {message.message}",
            title="Session store",
            severity="error",
            timeout=10,
        )
