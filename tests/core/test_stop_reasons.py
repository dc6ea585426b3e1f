"""Every stop reason but a finished answer is said plainly, and only the cut ones continue."""

from __future__ import annotations

import pytest

from claude_tui.core.stop_reasons import ASKED_FOR_STOPS, is_normal_stop, stop_notice


@pytest.mark.parametrize("reason", [None, "end_turn", "stop_sequence"])
def test_a_finished_reply_has_no_notice(reason: str | None) -> None:
    assert is_normal_stop(reason)
    assert stop_notice(reason) is None


def test_max_tokens_names_the_limit_and_how_to_continue_or_retry() -> None:
    notice = stop_notice("max_tokens", output_tokens=4096)
    assert notice is not None and notice.continuable
    assert notice.text.startswith("⚠ Cut at max_tokens (4,096 tokens) · Ctrl+R continues")
    assert "/retry" in notice.text
    unknown_size = stop_notice("max_tokens")
    assert unknown_size is not None and "Cut at max_tokens ·" in unknown_size.text


@pytest.mark.parametrize(
    ("reason", "words", "continuable"),
    [
        ("pause_turn", "Paused by the API (pause_turn), after 3 automatic continues", True),
        ("refusal", "Refused: the model declined", False),
        ("model_context_window_exceeded", "context window is full", False),
        ("tool_use", "does not run", False),
        ("from_the_future", "does not know: from_the_future", False),
    ],
)
def test_each_other_stop_is_a_warning_of_its_own(
    reason: str, words: str, continuable: bool
) -> None:
    notice = stop_notice(reason)
    assert notice is not None
    assert notice.text.startswith("⚠ ")
    assert words in notice.text
    assert notice.continuable is continuable
    assert not is_normal_stop(reason)


def test_a_pause_after_compaction_is_said_but_not_warned_of() -> None:
    """Only /compact asks for that pause: nothing was cut, and continuing would only answer its
    own request to compact."""
    notice = stop_notice("compaction")
    assert notice is not None and not notice.continuable
    assert notice.text.startswith("Compacted: the next prompt goes on from the summary")
    assert "compaction" in ASKED_FOR_STOPS
