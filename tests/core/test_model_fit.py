"""What /thinking and /effort answer for a model, and the notice when the model changes
(core/model_fit.py), with each model's capabilities as the local server's Models API gives them;
and the checks of /effort's argument (core/slash.py)."""

from __future__ import annotations

import pytest

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
    from_model_info,
)
from claude_tui.core.config import Settings
from claude_tui.core.config_schema import EFFORT_CHOICES, EFFORT_LEVELS
from claude_tui.core.model_fit import (
    effort_choices,
    effort_notice,
    effort_refusal,
    effort_status,
    fit_notes,
    thinking_notice,
    thinking_refusal,
)
from claude_tui.core.request_shape import shape_request
from claude_tui.core.slash import CommandError
from claude_tui.core.slash_args import parse_effort
from claude_tui.core.slash_table import EFFORT_WORDS
from claude_tui.localapi.models import MODELS, find_spec

SONNET = "claude-sonnet-5-5"
HAIKU_55 = "claude-haiku-5-5"
HAIKU_45 = "claude-haiku-4-5-20251001"
HAIKU_3 = "claude-3-haiku-20240307"


def caps(model: str) -> ModelCapabilities:
    """What the local server's ``GET /v1/models/{model}`` says the model accepts."""
    spec = find_spec(MODELS, model)
    assert spec is not None
    return from_model_info(spec.to_json(), CapabilitySource.API)


# -- /thinking --------------------------------------------------------------------------------


def test_thinking_on_an_adaptive_model_says_the_model_decides() -> None:
    on = Settings(model=SONNET, thinking=True)
    assert thinking_notice(on, caps(SONNET), None) == (
        "Thinking on · adaptive: the model decides how much to think"
    )
    assert thinking_notice(on, caps(SONNET), 8192) == (
        "Thinking on · adaptive: the model decides how much to think (the budget of 8,192"
        " tokens is kept for models that take only a budget)"
    )
    assert thinking_refusal(on, caps(SONNET)) is None


def test_thinking_on_a_budget_only_model_says_the_budget_sent() -> None:
    on = Settings(model=HAIKU_45, thinking=True, thinking_budget=2048)
    assert thinking_notice(on, caps(HAIKU_45), 2048) == "Thinking on · budget 2,048 tokens"
    # a budget the model's own max_tokens cannot hold is lowered, and the notice says so
    big = Settings(model=HAIKU_45, thinking=True, thinking_budget=64_000)
    assert thinking_notice(big, caps(HAIKU_45), None) == (
        "Thinking on · budget 62,976 tokens (budget lowered from 64,000 to 62,976 to fit"
        " max_tokens)"
    )


def test_thinking_on_a_model_without_thinking_is_refused() -> None:
    off = Settings(model=HAIKU_3)
    assert thinking_refusal(off, caps(HAIKU_3)) == (
        f"{HAIKU_3} has no extended thinking: thinking stays off. /model picks a model that thinks."
    )
    on = Settings(model=HAIKU_3, thinking=True)  # on already, for the models that have it
    assert thinking_refusal(on, caps(HAIKU_3)) == (
        f"{HAIKU_3} has no extended thinking: requests to it go without (thinking stays on for"
        " the models that have it). /model picks a model that thinks."
    )


# -- /effort ----------------------------------------------------------------------------------


def test_effort_levels_are_the_models_own() -> None:
    assert effort_choices(caps(SONNET)) == ("low", "medium", "high", "max", "default")
    assert effort_choices(caps("claude-opus-5-5")) == (*EFFORT_LEVELS, "default")
    assert effort_choices(caps(HAIKU_3)) == ("default",)


@pytest.mark.parametrize(
    ("model", "level", "refusal"),
    [
        (SONNET, "high", None),
        (SONNET, "xhigh", f"{SONNET} takes low, medium, high, max, not xhigh"),
        (HAIKU_55, "max", f"{HAIKU_55} takes low, medium, high, not max"),
        (HAIKU_45, "low", f"{HAIKU_45} has no effort levels"),
        (HAIKU_3, "high", f"{HAIKU_3} has no effort levels"),
    ],
)
def test_a_level_the_model_does_not_take_is_refused_with_those_it_does(
    model: str, level: str, refusal: str | None
) -> None:
    said = effort_refusal(level, caps(model))
    if refusal is None:
        assert said is None
    else:
        assert said == f"{refusal}: the setting is left as it is."


def test_effort_alone_shows_the_level_and_the_models_levels() -> None:
    assert effort_status(Settings(model=SONNET), caps(SONNET)) == (
        f"Effort: the model's default · {SONNET} takes low, medium, high, max, or default"
    )
    assert effort_status(Settings(model=SONNET, effort="high"), caps(SONNET)) == (
        f"Effort: high · {SONNET} takes low, medium, high, max, or default"
    )
    assert effort_status(Settings(model=HAIKU_3, effort="high"), caps(HAIKU_3)) == (
        f"Effort: high · {HAIKU_3} has no effort levels: requests to it go without"
    )
    assert effort_notice("") == "Effort: the model's default (no level is sent)"
    assert effort_notice("low") == "Effort: low (saved)"


def test_parse_effort() -> None:
    assert parse_effort("") is None
    assert parse_effort("HIGH") == "high"
    assert parse_effort("default") == parse_effort("off") == ""
    with pytest.raises(CommandError, match=r"/effort low\|medium\|high\|xhigh\|max.*'huge'"):
        parse_effort("huge")
    with pytest.raises(CommandError, match="one word"):
        parse_effort("high now")


def test_the_levels_are_the_apis_and_the_configs() -> None:
    assert tuple(level for level, _ in EFFORT_WORDS) == EFFORT_LEVELS
    assert ("", *EFFORT_LEVELS) == EFFORT_CHOICES


# -- a model change ---------------------------------------------------------------------------


def test_a_model_that_takes_the_settings_has_nothing_to_say() -> None:
    settings = Settings(model=SONNET, thinking=True, effort="high")
    assert fit_notes(settings, caps(SONNET)) == []
    assert fit_notes(Settings(model=HAIKU_45, thinking=True), caps(HAIKU_45)) == []


def test_a_model_change_says_what_the_new_model_goes_without() -> None:
    settings = Settings(model=HAIKU_3, thinking=True, effort="max", max_tokens=100_000)
    assert fit_notes(settings, caps(HAIKU_3)) == [
        f"{HAIKU_3} has no thinking: requests to it go without",
        f"{HAIKU_3} has no effort levels: requests to it go without max",
        f"max_tokens 100,000 is capped at {HAIKU_3}'s limit of 4,096",
    ]
    assert fit_notes(Settings(model=HAIKU_3), caps(HAIKU_3)) == []  # the default max_tokens
    settings = Settings(model=HAIKU_55, effort="max")
    assert fit_notes(settings, caps(HAIKU_55)) == [
        f"{HAIKU_55} takes effort low, medium, high: max is not sent"
    ]


@pytest.mark.parametrize("model", [spec.id for spec in MODELS])
def test_the_built_in_table_agrees_with_the_server(model: str) -> None:
    """What the app assumes before the Models API answers is what the server accepts."""
    builtin, served = builtin_capabilities(model), caps(model)
    assert builtin.thinking == served.thinking
    assert builtin.effort_levels == served.effort_levels
    assert builtin.max_tokens == served.max_tokens
    assert builtin.max_input_tokens == served.max_input_tokens
    assert builtin.compaction == served.compaction


@pytest.mark.parametrize("model", ["my-proxy-model", "claude-sonnet-latest", "gpt-4o"])
def test_a_model_the_table_cannot_place_gets_nothing_it_might_refuse(model: str) -> None:
    """No version in the name: no thinking, effort or compaction is sent until the Models API
    says the model takes them, and its window is not guessed."""
    caps = builtin_capabilities(model)
    assert caps.thinking is None and caps.effort_levels == () and not caps.compaction
    assert caps.max_input_tokens is None and caps.max_tokens is None
    settings = Settings(model=model, thinking=True, effort="high")
    shape = shape_request(settings, caps)
    assert shape.thinking is None and shape.output_config is None
    assert shape.context_management is None and shape.betas == ()
