"""Whether the request a prompt makes can carry its attachments, for the send guard (a typed
prompt on Enter, a queued one when it leaves the queue) and ``/model`` (a model switched to).

Every request sends the whole conversation, so the checks read the request that will go out
(``request.next_messages``), not the prompt alone: a PDF attached three turns ago still goes to
a model chosen since, and the API refuses the whole request for it. Nothing here reads a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claude_tui.core.blocks import AttachmentBlock, attachments_of
from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.conversation import Conversation
from claude_tui.core.prompt import Prompt
from claude_tui.core.request import next_messages

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen
    from claude_tui.ui.chat.session_state import SessionState


def known_models(chat: ChatScreen) -> list[tuple[str, ModelCapabilities]]:
    """What the app knows of the models it could switch to, for naming one that can take an
    attachment: the API's list once ``/model`` has loaded it, else the SDK's names; as the
    capability book knows them now (no lookup is started)."""
    ids = list(chat.prompt_input.completion_choices.get("model", ()))
    if not ids:
        from claude_tui.core.models import sdk_model_names

        ids = list(sdk_model_names())
    book = chat.app.capability_refresh.book
    return [(model, book.known(model)) for model in ids]


def sent_attachments(
    messages: list[dict[str, Any]], candidates: list[AttachmentBlock]
) -> list[AttachmentBlock]:
    """The ``candidates`` the API ``messages`` carry (a compacted history leaves the turns
    before its summary out): matched by their source's data, the very string the messages
    share with the blocks, so nothing large is compared or hashed."""
    sent: set[int] = set()
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            source = block.get("source") if isinstance(block, dict) else None
            if isinstance(source, dict) and "data" in source:
                sent.add(id(source["data"]))
    return [block for block in candidates if id(block.source.get("data")) in sent]


def attachment_problem(
    chat: ChatScreen, state: SessionState, prompt: Prompt | None, model: str | None = None
) -> str | None:
    """Why the next request of ``state`` (with ``prompt``, if any) cannot go to ``model``
    (the session's by default) for its attachments, the conversation's as well as the
    prompt's, or None: the model takes no images or no PDFs; the PDFs have over 100 pages
    together; too many images, some large; the whole request over the API's 32 MB."""
    conversation = state.conversation
    earlier = _earlier_attachments(conversation)
    own = prompt.attachments if prompt is not None else ()
    if not earlier and not own:
        return None
    from claude_tui.core.attachments.fit import (
        capability_problem,
        many_images_problem,
        pdf_pages_problem,
        request_size_problem,
    )

    model = model or chat.session_settings(state).model
    messages = next_messages(conversation, prompt)
    everything = [*earlier, *own]
    sent = sent_attachments(messages, everything)
    caps = chat.app.capabilities(model)
    others = known_models(chat)
    problem = capability_problem(sent, model, caps, others)
    if problem is not None:
        if capability_problem(own, model, caps, others) is None:
            return f"{problem}. {EARLIER}"
        return problem
    problem = pdf_pages_problem(messages, everything) or many_images_problem(messages, everything)
    return problem or request_size_problem(messages)


EARLIER = (
    "An earlier turn of this session holds it, and every request sends the whole "
    "conversation: nothing was sent"
)


def _earlier_attachments(conversation: Conversation) -> list[AttachmentBlock]:
    return [block for turn in conversation.turns for block in attachments_of(turn.blocks)]


def model_problem(chat: ChatScreen, state: SessionState, model: str) -> str | None:
    """What ``model`` cannot read of the files ``state``'s conversation holds (for ``/model``'s
    notice, at once rather than at the next Enter), or None."""
    from claude_tui.core.attachments.fit import capability_problem

    messages = next_messages(state.conversation)
    sent = sent_attachments(messages, _earlier_attachments(state.conversation))
    if not sent:
        return None
    caps = chat.app.capabilities(model)
    problem = capability_problem(sent, model, caps, known_models(chat))
    if problem is None:
        return None
    return (
        f"{problem}. This session's earlier turns hold them: no prompt is sent while it is "
        "the model"
    )


def attachment_tokens(prompt: Prompt) -> int:
    """The estimated tokens of ``prompt``'s attachments (0 without any)."""
    if not prompt.attachments:
        return 0
    from claude_tui.core.attachments.fit import estimate_block_tokens

    return sum(estimate_block_tokens(block) for block in prompt.attachments)
