"""Continuing a reply cut short, in its own turn: Ctrl+R after ``max_tokens``, and the app's
own follow-ups (after ``pause_turn``, and asking again when a model takes no prefill).

A part of ``ReplyController``, which starts every reply: this decides what a continuation sends
(``core.continuation``) and hands the reply to the controller to launch. The continuation's
``Reply`` is the session's reply in flight from the moment it is decided on, before the turn is
redrawn streaming: an Esc while that happens stops it like any reply (its runner is cancelled
before it sends anything), so a chain of automatic continues never slips past an Esc.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from claude_tui.core.continuation import (
    ASKED_BY_PERSON,
    FollowUp,
    begin_continuation,
    continuable_turn,
    follow_up,
)
from claude_tui.core.conversation import Turn
from claude_tui.ui.chat.session_state import Reply, SessionState
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane

if TYPE_CHECKING:
    from claude_tui.ui.chat.reply_controller import ReplyController


class Continuations:
    """Carries cut replies on, for ``controller``."""

    def __init__(self, controller: ReplyController, pane: TurnPane, status: ReplyStatus) -> None:
        self._controller = controller
        self._pane, self._status = pane, status

    @staticmethod
    def can_continue(state: SessionState) -> bool:
        """Whether Ctrl+R would continue a cut reply (rather than send the prompt again)."""
        return state.reply is None and continuable_turn(state.conversation.turns) is not None

    async def carry_on(self, state: SessionState, reply: Reply) -> bool:
        """``reply`` just ended (``state`` has none in flight): continue it by itself if it
        paused, or if its continuation was refused as a prefill (``core.continuation``'s
        ``follow_up``). True if a continuation started: the turn has not ended yet."""
        step = follow_up(
            reply.turn, continued=reply.continued, asked=reply.asked, pauses=reply.pauses
        )
        if step is None:
            return False
        await self.continue_turn(state, reply.turn, step)
        return True

    async def continue_turn(
        self, state: SessionState, turn: Turn, step: FollowUp = ASKED_BY_PERSON
    ) -> None:
        """Carry on ``turn``, a reply cut short (``max_tokens``, ``pause_turn``), in the same
        turn: the history goes with it as the final assistant message (or, ``step.ask``,
        followed by a request to go on), and what comes back is added to it, on screen and in
        the store (``core.continuation``). ``step`` is a continuation the app started itself.

        The reply is in flight (``state.reply``) before anything is awaited, so Esc can stop
        it at any point from here; it is sent once the turn streams on screen."""
        controller = self._controller
        settings = controller.chat_settings(state)
        # what the request will really send: a model without thinking gets none, whatever
        # the settings say, and the final reply's thinking rules follow from that
        plan = begin_continuation(
            state.conversation.turns, turn, thinking=controller.thinks(settings), ask=step.ask
        )
        if plan.thinking != settings.thinking:
            settings = replace(settings, thinking=plan.thinking)
        work = controller.work(
            state,
            settings,
            plan.messages,
            prompt=None,
            reply=turn,
            continues=turn.message_id,
            prefix=plan.prefix,
            earlier=plan.earlier,
        )
        reply = Reply(work.reply_id, work.runner, turn, prefix=tuple(plan.prefix))
        reply.continued, reply.asked, reply.pauses = True, step.ask, step.pauses
        reply.note = step.note
        controller.adopt(state, reply)
        if state is self._pane.state:
            if state.shown_to is not None:
                await self._pane.show_latest(state)
            await self._pane.restream(turn)
            self._status.waiting()
        controller.launch(state, work, reply)
