"""``/compact [instructions]``: make the context smaller, and say plainly how it was done.

The way is chosen by ``core.compaction.choose_way``: the API's server-side compaction where the
model has it and the context reaches the API's minimum trigger, else a summary asked of the
model and a new branch of the session from it. The size of the context is the last reply's
usage; with none to go by, the API counts it (``count_tokens``, in a worker). Either way the
request is an ordinary reply on screen, and what was done is said once it has ended. Nothing
is deleted: the store keeps every turn.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from claude_tui.core.blocks import summaries_of
from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.compaction import (
    Way,
    branch_text,
    choose_way,
    compacted_to,
    estimate_tokens,
    outcome_text,
    prompt_text,
    size_after,
    why_summary,
    with_compaction,
    without_tools,
)
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.slash import Command, CommandError
from claude_tui.core.store import SessionStore
from claude_tui.ui.chat.commands.registry import handles, tell_error
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.store_work import in_store

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

TITLE = "/compact"
SHOWN_FOR = 12
"""Seconds the outcome stays on screen: it is worth reading."""


@handles("compact")
async def compact(chat: ChatScreen, command: Command) -> None:
    state = chat.current
    if state.busy:
        raise CommandError("A reply is still streaming: Esc stops it first.")
    if state.editing is not None:
        raise CommandError("Send or cancel (Esc) the message being edited first.")
    if not any(turn.role == "assistant" for turn in state.conversation.turns):
        raise CommandError("There is nothing to compact yet.")
    settings = chat.session_settings(state)
    caps = chat.app.capabilities(settings.model)
    instructions = command.args
    tokens = _size_now(state)
    if tokens is not None or not caps.compaction:
        await _compact(chat, state, caps, settings.model, instructions, tokens)
        return

    from claude_tui.core.request import next_messages, stream_request

    request = stream_request(settings, next_messages(state.conversation), caps)
    api = chat.options.api

    def count() -> None:
        """No usage to go by (none was recorded): ask the API how big the context is."""
        from claude_tui.core.errors import ApiCallError
        from claude_tui.core.tokens import count_request_tokens

        try:
            counted: int | None = count_request_tokens(api, request)
        except ApiCallError:
            counted = None
        with contextlib.suppress(RuntimeError):  # the app is closing: nothing to compact
            chat.app.call_from_thread(
                chat.call_later, _counted, chat, state, settings.model, instructions, counted
            )

    chat.run_worker(count, thread=True, group="commands", exit_on_error=False)


async def _counted(
    chat: ChatScreen, state: SessionState, model: str, instructions: str, tokens: int | None
) -> None:
    """The API has counted the context of ``model``'s request: compact, if that is still the
    session's model (the count, and the way chosen by it, were for that model's request)."""
    if chat.session_settings(state).model != model:
        chat.notify(
            f"The model changed while the context was counted: nothing was compacted. "
            f"/compact again for {chat.session_settings(state).model}.",
            title=TITLE,
            severity="warning",
        )
        return
    await _compact(chat, state, chat.app.capabilities(model), model, instructions, tokens)


def _size_now(state: SessionState) -> int | None:
    """The context's size: right after a compaction alone, its summary's
    (``core.compaction.compacted_to``); else by the last reply's usage."""
    compacted = compacted_to(state.conversation.turns)
    return compacted if compacted is not None else size_after(state.last_metrics())


async def _compact(
    chat: ChatScreen,
    state: SessionState,
    caps: ModelCapabilities,
    model: str,
    instructions: str,
    tokens: int | None,
) -> None:
    """Start the compacting reply, the way the model and the size allow."""
    if state.busy:  # a prompt went out while the API counted
        chat.notify("A reply started meanwhile: /compact again once it ends.", title=TITLE)
        return
    way = choose_way(caps, tokens)
    if way is Way.SERVER:

        async def compacted(state: SessionState, turn: Turn) -> None:
            _server_done(chat, turn, tokens)

        await chat.replies.start(
            state,
            prompt_text(way, instructions),
            adjust=lambda request: with_compaction(request, instructions),
            on_end=compacted,
        )
        return
    reason = why_summary(caps, model, tokens)
    chat.notify(f"Asking the model for a summary: {reason}.", title=TITLE, timeout=6)

    async def summarised(state: SessionState, turn: Turn) -> None:
        await _summary_done(chat, state, turn, tokens, reason)

    await chat.replies.start(
        state, prompt_text(way, instructions), adjust=without_tools, on_end=summarised
    )


def _server_done(chat: ChatScreen, turn: Turn, before: int | None) -> None:
    """Say what the server's compaction did: the summary's size against the context's."""
    summary = summaries_of(turn.blocks)
    if summary:
        text = outcome_text(Way.SERVER, before, estimate_tokens(summary))
        chat.notify(text, title=TITLE, timeout=SHOWN_FOR)
    elif turn.status is TurnStatus.COMPLETE:
        chat.notify(
            "The API did not compact (the context is under its trigger). Nothing was removed.",
            title=TITLE,
            severity="warning",
            timeout=SHOWN_FOR,
        )
    else:
        chat.notify(
            "/compact did not finish: the conversation is as it was.",
            title=TITLE,
            severity="warning",
            timeout=SHOWN_FOR,
        )


async def _summary_done(
    chat: ChatScreen, state: SessionState, turn: Turn, before: int | None, reason: str
) -> None:
    """Start the new branch from the summary: saved as a new first message, then shown.

    Awaited before the reply's end goes on to a prompt queued behind it, so that prompt follows
    the summary, in the store too (it is saved after the active tip, which the summary now is).
    """
    summary = turn.text.strip()
    if turn.status is not TurnStatus.COMPLETE or turn.stop_reason == "max_tokens" or not summary:
        chat.notify(
            "/compact got no whole summary: the conversation goes on as it was.",
            title=TITLE,
            severity="warning",
            timeout=SHOWN_FOR,
        )
        return
    start = Turn.from_text("user", branch_text(summary))
    session_id = state.session_id
    if session_id is not None:  # else nothing is saved (no store): the branch is on screen only

        def save(store: SessionStore) -> int:
            """A new root of the session's tree, the active path from now on; the old path
            stays as it was."""
            return store.add_message(
                session_id,
                "user",
                blocks=start.blocks,
                status=TurnStatus.COMPLETE.value,
                parent_id=None,
            )

        saved: list[int] = []
        worker = in_store(
            chat,
            chat.options.store_path,
            save,
            saved.append,
            lambda text: tell_error(chat, f"/compact: the new branch was not saved: {text}"),
            expected=(KeyError,),  # the session was deleted meanwhile
        )
        await worker.wait()
        if not saved:
            return  # told; the conversation goes on as it was
        start.message_id = saved[0]
    state.conversation.turns[:] = [start]
    state.shown_from, state.shown_to = 0, None
    if state is chat.current:
        await chat.show_state(state)
    said = outcome_text(Way.SUMMARY, before, estimate_tokens(start.text), reason)
    chat.notify(said, title=TITLE, timeout=SHOWN_FOR)
