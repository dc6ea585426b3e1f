"""The slash commands about the session on screen: new, retry, edit, copy, export, context,
model and system.

Anything that reads the database or the network (a token count, the models list, an export)
runs in a thread worker and comes back through ``call_from_thread``, so the UI never waits on
it. Each command imports its screen when first used: none of them is needed at start-up.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from claude_tui.core.attachment_tokens import AttachmentTokens, Sent, conversation_attachments
from claude_tui.core.blocks import AttachmentBlock, attachments_of, block_line
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import edit_point
from claude_tui.core.reply_parts import copy_text, has_web_calls
from claude_tui.core.request import next_messages, preview_request
from claude_tui.core.sanitize import sanitize
from claude_tui.core.slash import Command, CommandError
from claude_tui.core.slash_args import parse_copy, parse_export, require_no_args
from claude_tui.core.store import SessionStore
from claude_tui.ui.chat.commands.registry import handles, tell_error
from claude_tui.ui.chat.copying import amount
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.store_work import in_store

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen
    from claude_tui.ui.widgets.attachment_count_view import AttachmentCounts


def code_blocks(text: str) -> list[str]:
    """The contents of a reply's code blocks, in order, as the Markdown parser sees them (so
    a fence the reply never closed counts, and a fence inside another does not). The reply's
    view numbers its code blocks the same way (``markdown.code_rows``): an empty one is not
    counted."""
    from markdown_it import MarkdownIt  # only when copying: not needed at start-up

    tokens = MarkdownIt().parse(text)
    code = [t.content.rstrip("\n") for t in tokens if t.type in ("fence", "code_block")]
    return [block for block in code if block.strip()]


def export_name(title: str, fmt: str) -> str:
    """A file name for an export from the session's title: lower-case words and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "conversation"
    return f"claude-tui-{slug}.{'json' if fmt == 'json' else 'md'}"


@handles("new")
async def new(chat: ChatScreen, command: Command) -> None:
    require_no_args(command)
    await chat.run_action("new_conversation")


@handles("retry")
async def retry(chat: ChatScreen, command: Command) -> None:
    """Always the prompt again: Ctrl+R is what continues a reply cut at max_tokens."""
    require_no_args(command)
    await chat.replies.retry(chat.current, continue_cut=False)


@handles("edit")
async def edit(chat: ChatScreen, command: Command) -> bool:
    require_no_args(command)
    state = chat.current
    if state.busy:
        raise CommandError("A reply is still streaming: Esc stops it first.")
    point = edit_point(state.conversation.turns)
    if point is None:
        raise CommandError("There is no message to edit yet.")
    prompt = chat.prompt_input
    turn = state.conversation.turns[point.turn_index]
    chat.attachments.put_aside(prompt.text)  # the draft's chips wait for the edit to end
    prompt.load_text(turn.text)
    prompt.move_cursor(prompt.document.end)
    chat.attachments.restore(attachments_of(turn.blocks))  # back as chips, sent with it
    prompt.focus()
    state.editing = point  # Enter sends it as an edit (ReplyController.submit), Esc cancels
    chat.notify(
        "Editing your last message: Enter sends it as a new version (the earlier exchange "
        "is kept as a branch) · Esc cancels",
        title="/edit",
        timeout=8,
    )
    return False  # the input now holds the message being edited: leave it there


@handles("copy")
async def copy(chat: ChatScreen, command: Command) -> None:
    code, number = parse_copy(command.args)
    turns = chat.current.conversation.turns
    reply = next((t for t in reversed(turns) if t.role == "assistant" and t.text), None)
    if reply is None:
        raise CommandError("There is no reply to copy yet.")
    text, kind = reply.text, "the last reply"
    if has_web_calls(reply.blocks):  # its citation markers kept, its sources after it
        text = sanitize(copy_text(reply.blocks))
    if code:
        blocks = code_blocks(reply.text)
        if not blocks:
            raise CommandError("The last reply has no code block.")
        if number is not None and number > len(blocks):
            count = f"{len(blocks)} code block{'s' if len(blocks) > 1 else ''}"
            raise CommandError(f"The last reply has {count}: there is no block {number}.")
        text = blocks[-1 if number is None else number - 1]
        kind = "the last code block" if number is None else f"code block {number}"
    chat.app.copy_to_clipboard(text)  # OSC 52: works over SSH, where the terminal allows it
    chat.notify(f"Copied {kind}: {amount(text)}.", timeout=3)


@handles("export")
async def export(chat: ChatScreen, command: Command) -> None:
    fmt, path_text = parse_export(command.args)
    state = chat.current
    if state.session_id is None:
        raise CommandError("Nothing to export yet: the session is saved with its first reply.")
    target = Path(path_text).expanduser() if path_text else Path(export_name(state.title, fmt))
    session_id = state.session_id

    def write(store: SessionStore) -> Path:
        """Read the session and write the file, both in the worker: neither is quick."""
        from claude_tui.core.store.export import to_json, to_markdown, write_private

        data = store.export_session(session_id)
        write_private(target, to_json(data) if fmt == "json" else to_markdown(data))
        return target.resolve()

    def exported(written: Path) -> None:
        chat.app.call_from_thread(chat.notify, f"Exported to {written}", title="/export", timeout=6)

    in_store(
        chat,
        chat.options.store_path,
        write,
        exported,
        lambda text: tell_error(chat, f"Cannot write {target}: {text}"),
        expected=(OSError,),  # the file cannot be written
    )


@handles("context")
async def context(chat: ChatScreen, command: Command) -> None:
    from claude_tui.ui.screens.command_screens import ContextScreen
    from claude_tui.ui.widgets.attachment_count_view import AttachmentCounts

    require_no_args(command)
    state = chat.current
    request = next_messages(state.conversation)
    settings, api = chat.session_settings(state), chat.options.api
    caps = chat.app.capabilities(settings.model)
    preview = preview_request(settings, request, api=api, caps=caps)
    turns = list(state.conversation.turns)
    attached = any(attachments_of(turn.blocks) for turn in turns)
    listing = AttachmentCounts() if attached else None  # its rows come from the worker
    screen = ContextScreen(preview.text, listing)
    chat.app.push_screen(screen)

    def count() -> None:
        from claude_tui.core.errors import ApiCallError
        from claude_tui.core.request import stream_request
        from claude_tui.core.tokens import count_request_tokens, history_count_request

        attachments = conversation_attachments(turns) if listing is not None else []
        if listing is not None:
            rows = _attachment_rows(attachments, api, settings.model)
            chat.app.call_from_thread(listing.fill, *rows)
        if not request:
            chat.app.call_from_thread(screen.set_token_count, 0, None)
            return
        try:
            counted = history_count_request(stream_request(settings, request, caps))
            tokens = count_request_tokens(api, counted)
        except ApiCallError as error:
            chat.app.call_from_thread(screen.set_token_count, None, str(error))
            return
        if get_current_worker().is_cancelled:
            return
        chat.app.call_from_thread(screen.set_token_count, tokens, None)
        if listing is not None:
            _count_attachments(
                chat, listing, [sent.block for sent in attachments], api, settings.model
            )

    chat.run_worker(count, thread=True, group="commands", exit_on_error=False)


ATTACHMENT_TOKENS = AttachmentTokens()
"""Each attachment's count, asked once per file and model for the app's whole run."""


def _attachment_rows(
    attachments: list[Sent], api: ApiSettings, model: str
) -> tuple[list[str], list[int], list[int | None], list[int]]:
    """In the worker (an estimate or a file's key may decode or hash a whole source): the
    rows ``/context`` lists, with the counts known already and estimates for the rest."""
    from claude_tui.core.attachments.fit import estimate_block_tokens  # only when there are any

    return (
        [block_line(sent.block) for sent in attachments],
        [sent.times for sent in attachments],
        [ATTACHMENT_TOKENS.known(api, model, sent.block) for sent in attachments],
        [estimate_block_tokens(sent.block) for sent in attachments],
    )


def _count_attachments(
    chat: ChatScreen,
    listing: AttachmentCounts,
    attachments: list[AttachmentBlock],
    api: ApiSettings,
    model: str,
) -> None:
    """In the worker: ask for each count not known yet, one file at a time, showing each as it
    comes; the first failure stops it (the next would fail the same way) and says why."""
    from claude_tui.core.errors import ApiCallError

    for index, block in enumerate(attachments):
        if get_current_worker().is_cancelled:
            return
        try:
            tokens = ATTACHMENT_TOKENS.count(api, model, block)
        except ApiCallError as error:
            chat.app.call_from_thread(listing.set_failed, str(error))
            return
        chat.app.call_from_thread(listing.set_tokens, index, tokens)


@handles("model")
async def model(chat: ChatScreen, command: Command) -> None:
    from claude_tui.ui.screens.command_dialogs import ModelPickerScreen

    state = chat.current
    if command.args:
        _set_model(chat, state, command.args.split()[0])
        return
    screen = ModelPickerScreen(chat.session_settings(state).model, chat.app.capabilities)

    def chosen(model: str | None) -> None:
        if model:
            _set_model(chat, state, model)

    chat.app.push_screen(screen, chosen)
    api = chat.options.api

    def load() -> None:
        from claude_tui.core.models import list_models

        choices = list_models(api)
        chat.app.call_from_thread(screen.set_choices, choices)
        chat.app.call_from_thread(_offer_models, chat, list(choices.ids))

    chat.run_worker(load, thread=True, group="commands", exit_on_error=False)


def _offer_models(chat: ChatScreen, ids: list[str]) -> None:
    """Once known, the model ids complete ``/model `` in the input too."""
    prompt = chat.prompt_input
    prompt.completion_choices = {**prompt.completion_choices, "model": ids}


def _set_model(chat: ChatScreen, state: SessionState, model: str) -> None:
    """The session's model from now on; saved with the session, so it keeps it. The notice
    says what the model accepts, as known now (the lookup ``show_model`` starts may improve
    it; ``/model`` shows the newer answer)."""
    import time

    from claude_tui.core.capability_summary import short_summary

    state.model = model
    _save_session_field(chat, state, "model", model)
    chat.show_model()
    from claude_tui.ui.chat.attachment_fit import model_problem

    caps = chat.app.capabilities(model)
    text = f"Model for this session: {model}\n{short_summary(caps, time.time())}"
    problem = model_problem(chat, state, model)  # said now, not at the next Enter
    chat.notify(
        sanitize(text if problem is None else f"{text}\n{problem}"),
        severity="information" if problem is None else "warning",
        timeout=6 if problem is None else 15,
    )


@handles("system")
async def system(chat: ChatScreen, command: Command) -> None:
    from claude_tui.ui.screens.command_dialogs import SystemPromptScreen

    state = chat.current
    if command.args:
        _set_system(chat, state, command.args)
        return

    def chosen(text: str | None) -> None:
        if text is not None:
            _set_system(chat, state, text)

    current = chat.session_settings(state).system_prompt
    chat.app.push_screen(SystemPromptScreen(current), chosen)


def _set_system(chat: ChatScreen, state: SessionState, text: str) -> None:
    state.system = text.strip()
    _save_session_field(chat, state, "system", state.system)
    said = "cleared" if not state.system else f"set ({len(state.system):,} characters)"
    chat.notify(f"System prompt for this session {said}.", timeout=3)


def _save_session_field(chat: ChatScreen, state: SessionState, field: str, value: str) -> None:
    """Keep a session's model or system prompt in the store (once it has been saved)."""
    session_id = state.session_id
    if session_id is None:
        return  # the first message saves the session with these values

    in_store(
        chat,
        chat.options.store_path,
        lambda store: store.set_session_field(session_id, field, value),
        lambda _: None,
        lambda text: tell_error(chat, f"Not saved: {text}"),
        expected=(KeyError,),  # the session was deleted meanwhile
    )
