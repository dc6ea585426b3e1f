"""The Textual application: themes, settings changed in the app, and a quit that never leaves
a stream behind."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.worker import get_current_worker

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.client import warm_up_sdk
from claude_tui.core.config import DEFAULT_THEME, ConfigError, Settings, save_settings
from claude_tui.core.defaults import RATE_MEANING
from claude_tui.core.paths import key_file
from claude_tui.core.sanitize import sanitize
from claude_tui.ui.capability_refresh import DEMO_CACHE_KEY, CapabilityRefresh
from claude_tui.ui.options import AppOptions
from claude_tui.ui.themes import cycle_order, next_theme, textual_theme

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

REFRESH_RATES = (2, 10, 30, 60, 120)
"""The refresh rates offered in the command palette (any 1-120 can be set in config)."""

QUIT_WAIT = 0.6
"""Seconds quitting waits for replies in flight to save their partial text."""

WORKER_THREADS = 64
"""Threads for workers: one per reply in flight, plus short database and rendering jobs."""


_FROZEN: set[str] = set()


def _freeze_once(stage: str) -> None:
    """Put every object alive now out of the collector's sight, once per process and stage.

    What the imports and the warm-ups built lives as long as the app; a full collection
    walking it was most of its cost. Once per process: a second app (in tests) would freeze
    the first one's garbage for good."""
    if stage not in _FROZEN:
        _FROZEN.add(stage)
        gc.freeze()


def _warm_up_renderer() -> None:
    # Imported here, in the warm-up thread: markdown-it, Pygments and Rich's Markdown are not
    # needed for the first frame, which shows no Markdown.
    from claude_tui.ui.widgets.markdown.render import warm_up_renderer

    warm_up_renderer()


class ClaudeTUI(App[None]):
    TITLE = "claude-tui"

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+t", "next_theme", "Theme", show=False, priority=True),
    ]

    settings: var[Settings] = var(Settings)
    """The settings in force: the config file's, this run's command-line overrides, and what
    the user changed in the app (``update_settings``). The one copy: the chat screen watches it,
    and a session's own model or system prompt stays on that session's state."""

    def __init__(self, options: AppOptions | None = None) -> None:
        # ~20 ms off the first frame, and up to a hundred off opening a long session
        _freeze_once("imports")
        super().__init__()
        self.options = options or AppOptions()
        self.settings = self.options.settings
        self._own_themes = [spec.name for spec in self.options.themes]
        for spec in self.options.themes:
            self.register_theme(textual_theme(spec))
        notices = list(self.options.notices)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            notices.append(
                f"theme {sanitize(self.settings.theme)!r} is not installed "
                f"(`claude-tui themes` lists them); using {DEFAULT_THEME}"
            )
            if DEFAULT_THEME in self.available_themes:
                self.theme = DEFAULT_THEME
        self._theme_before_preview: str | None = None
        self._quitting = False
        self._first_frame = threading.Event()
        """Set once the first frames are drawn, prompt focused: the warm-ups may start."""
        self._warm_ups_left = 0  # set when they start (on_mount)
        self._warm_ups_lock = threading.Lock()
        self.capability_refresh = CapabilityRefresh(
            self, self.options.api, cache_key=DEMO_CACHE_KEY if self.options.demo else None
        )
        # Imported here, not above: the screen and its parts import this module for typed
        # access to the app (``textual.getters.app``).
        from claude_tui.ui.chat.screen import ChatScreen

        self.chat = ChatScreen(
            replace(self.options, notices=tuple(notices)), key_file=str(key_file())
        )

    def capabilities(self, model: str) -> ModelCapabilities:
        """What ``model`` accepts, as known now: the Models API's answer of this run, else the
        one kept on disk, else the built-in table's. Never waits (a request is never delayed
        for it); when the answer is the table's or stale, a lookup starts in the background and
        its answer is posted to the screens (``CapabilityRefresh.Updated``)."""
        return self.capability_refresh.known(model)

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        # Textual thread workers run in the loop's default executor, whose size follows the
        # core count (6 threads on 2 cores). A reply holds its thread for its whole life, so
        # with the default the seventh reply in flight, and any database work, would wait.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._on_signal)
        # Importing the SDK takes about a second, and the Markdown renderer (markdown-it,
        # Pygments) a little: both are done off the UI thread, so the first reply does not pay
        # for them. Their workers exist from now on, but wait for the first frame: an import
        # holds the GIL, and running them alongside made start-up about 60 ms slower.
        # The disk cache of the Models API's answers is read the same way; the lookups it finds
        # needed (and those asked for before it was read) start once it has been.
        warm_ups = (
            ("warm-up", warm_up_sdk),
            ("warm-up-md", _warm_up_renderer),
            ("capabilities-cache", self.capability_refresh.load),
        )
        self._warm_ups_left = len(warm_ups)
        for name, warm_up in warm_ups:
            work = partial(self._after_first_frame, warm_up)
            self.run_worker(work, thread=True, name=name, exit_on_error=False)

    def on_ready(self) -> None:
        """The first frame is drawn. The chat starts (prompt focused) after the next refresh;
        the warm-ups start after that."""
        self.call_after_refresh(self._first_frame.set)

    def _after_first_frame(self, warm_up: Callable[[], None]) -> None:
        """In a thread worker: run ``warm_up`` once the app is on screen (or give up if the app
        exits first)."""
        worker = get_current_worker()
        while not self._first_frame.wait(0.05):
            if worker.is_cancelled:
                return
        try:
            warm_up()
        finally:
            with self._warm_ups_lock:
                self._warm_ups_left -= 1
                last = self._warm_ups_left == 0
            if last:
                # The SDK (pydantic's models) and the renderer are three quarters of the
                # objects alive after start-up: frozen too, a full collection while a reply
                # streams takes about 20-60 ms instead of 100-170 (measured on the paced reply
                # of benchmarks/run.py row 2).
                _freeze_once("warm-ups")

    async def action_quit(self) -> None:
        """Stop every reply and let its worker save what arrived (status ``cancelled``) before
        exiting; never more than ``QUIT_WAIT`` seconds, so quitting is always prompt."""
        if self._quitting:
            return
        self._quitting = True
        self.chat.replies.cancel_all()
        replies = [w for w in self.chat.workers if w.group == "replies" and not w.is_finished]
        if replies:
            waits = [asyncio.create_task(worker.wait()) for worker in replies]
            await asyncio.wait(waits, timeout=QUIT_WAIT)
        await self.chat.sessions_panel.flush_pending_delete()
        self.exit()

    def _on_signal(self) -> None:
        """SIGTERM, SIGINT or SIGHUP: quit as ctrl+q does, saving the reply in flight."""
        self.call_later(self.action_quit)

    # -- settings changed in the app ----------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text (``markup`` is taken and ignored): they quote what
        the user typed (``/web [/x]``), file names and session titles, where Textual's markup
        eats ``[fetch]`` and a stray ``[/x]`` raises in the toast and ends the app. No message
        of the app's own uses markup. Widgets' and screens' ``notify`` come here too."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def update_settings(self, **changes: Any) -> None:
        """Apply and save settings changed in the app (the file keeps the user's other
        values; a file that cannot be parsed is left alone and the user told)."""
        self.settings = replace(self.settings, **changes)  # its watchers apply it at once
        path = self.options.config_path
        if path is None:
            return

        def save() -> None:
            try:
                save_settings(path, changes)
            except ConfigError as error:
                self.call_from_thread(
                    self.notify, f"Not saved: {error}", title="Settings", severity="error"
                )

        self.run_worker(save, thread=True, group="settings", exit_on_error=False)

    # -- themes ---------------------------------------------------------------------------------

    def action_next_theme(self) -> None:
        order = cycle_order(self._own_themes, list(self.available_themes))
        self.theme = next_theme(self.theme, order)
        self.update_settings(theme=self.theme)
        self.notify(f"Theme: {self.theme}", timeout=2)

    def search_themes(self) -> None:
        """The theme picker: each highlighted theme is previewed live; Esc puts back the one
        there was, choosing one keeps and saves it."""
        self._theme_before_preview = self.theme
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search themes…"))

    def on_command_palette_option_highlighted(
        self, message: CommandPalette.OptionHighlighted
    ) -> None:
        if self._theme_before_preview is None:
            return  # the ordinary command palette, not the theme picker
        option = message.highlighted_event.option
        hit = getattr(option, "hit", None)
        if hit is None:
            return
        name = hit.text or getattr(hit.match_display, "plain", str(hit.match_display))
        if name in self.available_themes:
            self.theme = name

    def on_command_palette_closed(self, message: CommandPalette.Closed) -> None:
        before, self._theme_before_preview = self._theme_before_preview, None
        if before is None:
            return
        if message.option_selected:
            self.call_later(self._keep_theme)
        else:
            self.theme = before

    def _keep_theme(self) -> None:
        if self.theme != self.settings.theme:
            self.update_settings(theme=self.theme)

    # -- the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from claude_tui.ui.chat.palette import slash_commands, web_toggles
        from claude_tui.ui.chat.session_web import own_web

        def run(line: str) -> None:
            self.chat.call_later(self.chat.run_slash, line)

        yield from slash_commands(run)
        state = self.chat.current
        yield from web_toggles(self.chat.session_settings(state), own_web(state), run)
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Next theme", "Cycle to the next theme (ctrl+t)", self.action_next_theme
        )
        for rate in REFRESH_RATES:
            current = " (current)" if rate == self.settings.refresh_rate else ""
            yield SystemCommand(
                f"Refresh rate: {rate} a second{current}",
                f"{RATE_MEANING}; saved to config.toml",
                lambda rate=rate: self.update_settings(refresh_rate=rate),
            )
        label = "Hide" if self.settings.show_metrics else "Show"
        yield SystemCommand(
            f"{label} metrics",
            "The line with TTFT, tok/s, tokens and cost; saved to config.toml",
            lambda: self.update_settings(show_metrics=not self.settings.show_metrics),
        )
