"""What Esc does on the chat screen, in the order a user expects: what is in front of them
closes first, then the reply stops, then an edit is cancelled, then the sidebar is left.

1. the command menu closes;
2. a sidebar shown over the chat (a narrow screen) hides;
3. the reply in flight stops, and prompts queued behind it go back into the input rather than
   out to the model;
4. a ``count_tokens`` call before a send (near the context window), or the reading of its
   ``@path`` files, stops: the prompt is not sent and stays in the input (``send_guard``,
   ``attachments_send``; no reply streams then);
5. an ``/edit`` is cancelled: the input (and its attachment chips) is cleared and nothing is
   sent;
6. prompts still queued with no reply in flight (one refused while its session was off
   screen) go back into the input;
7. the focus leaves the sidebar for the prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen
    from claude_tui.ui.chat.session_state import SessionState


async def press_escape(screen: ChatScreen) -> None:
    state = screen.current
    prompt = screen.prompt_input
    if prompt.close_completions():
        return
    if screen.sidebar_layout.hide_overlay():
        prompt.focus()
        return
    if state.reply is not None:
        screen.replies.cancel(state)
        if state.queue:
            await unqueue(screen, state)
    elif await screen.send_guard.cancel(state) or screen.attachment_check.cancel():
        return
    elif state.editing is not None:
        state.editing = None
        screen.attachments.cancel_edit()  # the draft /edit put aside comes back
        screen.notify("Edit cancelled.", timeout=2)
    elif state.queue:
        await unqueue(screen, state)
    elif screen.sessions_panel.has_focus_within:
        prompt.focus()


async def unqueue(screen: ChatScreen, state: SessionState) -> None:
    """``state``'s queued prompts (``state`` is on screen) back into the input, before what
    it holds, and their attachments back as chips; said."""
    queued, state.queue = state.queue, []
    texts = [prompt.text for prompt in queued]
    await screen.turn_pane.remove_queued()
    prompt = screen.prompt_input
    prompt.load_text("\n\n".join([*texts, prompt.text] if prompt.text.strip() else texts))
    prompt.move_cursor(prompt.document.end)
    prompt.focus()
    screen.attachments.restore(
        block for queued_prompt in queued for block in queued_prompt.attachments
    )
    screen.reply_status.queued = 0
    count = f"{len(texts)} queued prompt{'s' if len(texts) > 1 else ''}"
    screen.notify(f"{count} moved back to the input, not sent.")
