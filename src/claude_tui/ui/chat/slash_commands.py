"""Slash commands on the chat screen: what each one does.

Parsing and completion are in ``core/slash.py``; the screens they open are in
``command_screens.py``. Anything that reads the database or the network (statistics across
sessions, the models list, a token count, an export) runs in a thread worker and comes back
through ``call_from_thread``, so the UI never waits on it.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.worker import get_current_worker

from claude_tui.core.config import price_overrides
from claude_tui.core.conversation import EditPoint, Turn, edit_point
from claude_tui.core.request import next_messages, preview_request
from claude_tui.core.slash import (
    COMMANDS,
    Command,
    CommandError,
    Unknown,
    parse,
    parse_export,
    parse_rate,
    parse_thinking,
    require_no_args,
)
from claude_tui.core.store import SessionStore
from claude_tui.ui.chat.replies import ReplyFlow
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.store_work import in_store
from claude_tui.ui.widgets.prompt import PromptInput


def last_code_block(text: str) -> str | None:
    """The content of the last code block of a reply, as the Markdown parser sees it (so a
    fence the reply never closed counts, and a fence inside another does not)."""
    from markdown_it import MarkdownIt  # only when copying: not needed at start-up

    tokens = MarkdownIt().parse(text)
    code = [t.content for t in tokens if t.type in ("fence", "code_block")]
    return code[-1].rstrip("\n") if code else None


def export_name(title: str, fmt: str) -> str:
    """A file name for an export from the session's title: lower-case words and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "conversation"
    return f"claude-tui-{slug}.{'json' if fmt == 'json' else 'md'}"


class SlashCommands(ReplyFlow):
    """Base of the chat screen that runs slash commands (typed, or from the palette)."""

    async def run_command(self, parsed: Command | Unknown) -> bool:
        """Run a command. False leaves the input as it is: the command failed (the user can fix
        it), or it put text there itself (``/edit``)."""
        if isinstance(parsed, Unknown):
            self.notify(parsed.message, title="Not sent", severity="warning", timeout=6)
            return False
        handler = getattr(self, f"_cmd_{parsed.name}", None)
        if handler is None:  # the table and this class disagree: a bug, said plainly
            self.notify(f"/{parsed.name} is not available yet.", severity="error")
            return False
        try:
            result = await handler(parsed)
        except CommandError as error:
            self.notify(str(error), title=f"/{parsed.name}", severity="warning", timeout=6)
            return False
        return result is not False

    async def run_slash(self, line: str) -> None:
        """Run ``line`` as if typed (the command palette's entries use this)."""
        parsed = parse(line)
        if isinstance(parsed, Command | Unknown):
            await self.run_command(parsed)

    # -- the commands ---------------------------------------------------------------------------

    # Each command imports its screen when first used: none of them is needed at start-up.

    async def _cmd_help(self, command: Command) -> None:
        from claude_tui.ui.screens.command_screens import HelpScreen, keys_from_bindings

        require_no_args(command)
        keys = keys_from_bindings([*self.BINDINGS, *self.app.BINDINGS])
        keys.append(("Ctrl+P", "Command palette: every command, themes, refresh rate"))
        self.app.push_screen(HelpScreen(keys, COMMANDS))

    async def _cmd_new(self, command: Command) -> None:
        require_no_args(command)
        await self.run_action("new_conversation")

    async def _cmd_quit(self, command: Command) -> None:
        require_no_args(command)
        await self.app.run_action("quit")

    async def _cmd_retry(self, command: Command) -> None:
        require_no_args(command)
        await self.run_action("retry")

    async def _cmd_stats(self, command: Command) -> None:
        from claude_tui.core.stats import format_stats, session_stats
        from claude_tui.ui.screens.command_screens import StatsScreen

        require_no_args(command)
        overrides = price_overrides(self.app.settings)
        rows = format_stats(session_stats(self.current.conversation.turns), overrides=overrides)
        screen = StatsScreen(rows, None)
        self.app.push_screen(screen)
        in_store(
            self,
            self.options.store_path,
            lambda store: format_stats(store.usage_totals(), overrides=overrides),
            lambda every: self.app.call_from_thread(self.call_later, screen.set_totals, every),
            self._tell_error,
        )

    async def _cmd_context(self, command: Command) -> None:
        from claude_tui.ui.screens.command_screens import ContextScreen

        require_no_args(command)
        state = self.current
        request = next_messages(state.conversation)
        preview = preview_request(self.session_settings(state), request, api=self.options.api)
        screen = ContextScreen(preview.text)
        self.app.push_screen(screen)
        settings, api = self.session_settings(state), self.options.api

        def count() -> None:
            from claude_tui.core.errors import ApiCallError
            from claude_tui.core.request import stream_request
            from claude_tui.core.tokens import count_request_tokens

            if not request:
                self.app.call_from_thread(screen.set_token_count, 0, None)
                return
            try:
                tokens = count_request_tokens(api, stream_request(settings, request))
            except ApiCallError as error:
                self.app.call_from_thread(screen.set_token_count, None, str(error))
                return
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(screen.set_token_count, tokens, None)

        self.run_worker(count, thread=True, group="commands", exit_on_error=False)

    async def _cmd_model(self, command: Command) -> None:
        from claude_tui.ui.screens.command_dialogs import ModelPickerScreen

        state = self.current
        if command.args:
            self._set_model(state, command.args.split()[0])
            return
        current = self.session_settings(state).model
        screen = ModelPickerScreen(current)

        def chosen(model: str | None) -> None:
            if model:
                self._set_model(state, model)

        self.app.push_screen(screen, chosen)
        api = self.options.api

        def load() -> None:
            from claude_tui.core.models import list_models

            choices = list_models(api)
            self.app.call_from_thread(screen.set_choices, choices)
            self.app.call_from_thread(self._offer_models, list(choices.ids))

        self.run_worker(load, thread=True, group="commands", exit_on_error=False)

    def _offer_models(self, ids: list[str]) -> None:
        """Once known, the model ids complete ``/model `` in the input too."""
        prompt = self.query_one(PromptInput)
        prompt.completion_choices = {**prompt.completion_choices, "model": ids}

    def _set_model(self, state: SessionState, model: str) -> None:
        """The session's model from now on; saved with the session, so it keeps it."""
        state.model = model
        self._save_session_field(state, "model", model)
        self.show_model()
        self.notify(f"Model for this session: {model}", timeout=3)

    async def _cmd_system(self, command: Command) -> None:
        from claude_tui.ui.screens.command_dialogs import SystemPromptScreen

        state = self.current
        if command.args:
            self._set_system(state, command.args)
            return

        def chosen(text: str | None) -> None:
            if text is not None:
                self._set_system(state, text)

        current = self.session_settings(state).system_prompt
        self.app.push_screen(SystemPromptScreen(current), chosen)

    def _set_system(self, state: SessionState, text: str) -> None:
        state.system = text.strip()
        self._save_session_field(state, "system", state.system)
        said = "cleared" if not state.system else f"set ({len(state.system):,} characters)"
        self.notify(f"System prompt for this session {said}.", timeout=3)

    def _save_session_field(self, state: SessionState, field: str, value: str) -> None:
        """Keep a session's model or system prompt in the store (once it has been saved)."""
        session_id = state.session_id
        if session_id is None:
            return  # the first message saves the session with these values

        in_store(
            self,
            self.options.store_path,
            lambda store: store.set_session_field(session_id, field, value),
            lambda _: None,
            lambda text: self._tell_error(f"Not saved: {text}"),
            expected=(KeyError,),  # the session was deleted meanwhile
        )

    def _tell_error(self, text: str) -> None:
        """From a store worker's thread: show the user what went wrong, as an error."""
        self.app.call_from_thread(self.notify, text, severity="error")

    async def _cmd_thinking(self, command: Command) -> None:
        on, budget = parse_thinking(command.args, max_tokens=None)
        changes: dict[str, object] = {"thinking": on}
        if budget is not None:
            changes["thinking_budget"] = budget
        self.app.update_settings(**changes)
        if on:
            used = budget or self.app.settings.thinking_budget
            self.notify(f"Extended thinking on · budget {used:,} tokens", timeout=3)
        else:
            self.notify("Extended thinking off", timeout=3)

    async def _cmd_rate(self, command: Command) -> None:
        rate = parse_rate(command.args)
        self.app.update_settings(refresh_rate=rate)
        self.notify(f"Refresh rate: {rate} a second (saved)", timeout=3)

    async def _cmd_theme(self, command: Command) -> None:
        name = command.args.split()[0] if command.args else ""
        if not name:
            self.app.search_themes()
            return
        if name not in self.app.available_themes:
            raise CommandError(f"No theme {name!r}. `claude-tui themes` lists them.")
        self.app.theme = name
        self.app.update_settings(theme=name)
        self.notify(f"Theme: {name} (saved)", timeout=3)

    async def _cmd_copy(self, command: Command) -> None:
        what = command.args.strip().lower()
        if what not in ("", "code"):
            raise CommandError("/copy copies the last reply; /copy code its last code block.")
        turns = self.current.conversation.turns
        reply = next((t for t in reversed(turns) if t.role == "assistant" and t.text), None)
        if reply is None:
            raise CommandError("There is no reply to copy yet.")
        text: str | None = reply.text
        if what == "code":
            text = last_code_block(reply.text)
            if text is None:
                raise CommandError("The last reply has no code block.")
        assert text is not None
        self.app.copy_to_clipboard(text)  # OSC 52: works over SSH, where the terminal allows it
        kind = "code block" if what == "code" else "reply"
        self.notify(f"Copied the last {kind} ({len(text):,} characters).", timeout=3)

    async def _cmd_export(self, command: Command) -> None:
        fmt, path_text = parse_export(command.args)
        state = self.current
        if state.session_id is None:
            raise CommandError("Nothing to export yet: the session is saved with its first reply.")
        target = Path(path_text).expanduser() if path_text else Path(export_name(state.title, fmt))
        session_id = state.session_id

        def export(store: SessionStore) -> Path:
            """Read the session and write the file, both in the worker: neither is quick."""
            from claude_tui.core.store.export import to_json, to_markdown, write_private

            data = store.export_session(session_id)
            write_private(target, to_json(data) if fmt == "json" else to_markdown(data))
            return target.resolve()

        def exported(written: Path) -> None:
            self.app.call_from_thread(
                self.notify, f"Exported to {written}", title="/export", timeout=6
            )

        in_store(
            self,
            self.options.store_path,
            export,
            exported,
            lambda text: self._tell_error(f"Cannot write {target}: {text}"),
            expected=(OSError,),  # the file cannot be written
        )

    async def _cmd_edit(self, command: Command) -> bool:
        require_no_args(command)
        state = self.current
        if state.busy:
            raise CommandError("A reply is still streaming: Esc stops it first.")
        point = edit_point(state.conversation.turns)
        if point is None:
            raise CommandError("There is no message to edit yet.")
        prompt = self.query_one(PromptInput)
        prompt.load_text(state.conversation.turns[point.turn_index].text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        state.editing = point
        self.notify(
            "Editing your last message: Enter sends it as a new version (the earlier exchange "
            "is kept as a branch) · Esc cancels",
            title="/edit",
            timeout=8,
        )
        return False  # the input now holds the message being edited: leave it there

    async def send_edited(self, state: SessionState, point: EditPoint, text: str) -> None:
        """Replace the last exchange on screen with the edited prompt and its new reply; the
        earlier one stays in the store as another branch from the same parent."""
        from claude_tui.core.store.recorder import ACTIVE_LEAF

        state.editing = None
        turns = state.conversation.turns
        gone: list[Turn] = turns[point.turn_index :]
        del turns[point.turn_index :]
        await self.turn_pane.widgets.remove(gone)
        parent = point.parent_id if point.parent_known else ACTIVE_LEAF
        await self._start_reply(state, text, parent_id=parent)

    def cancel_edit(self) -> bool:
        """Esc while editing: the input is cleared and nothing is sent. False if not editing."""
        state = self.current
        if state.editing is None:
            return False
        state.editing = None
        self.query_one(PromptInput).clear()
        self.notify("Edit cancelled.", timeout=2)
        return True

    def show_model(self) -> None:
        """Tell the metrics line which model the session uses."""
        raise NotImplementedError
