"""Web search from the settings to the local server and back: the request core shapes for each
model the server lists is one the server takes; a search streams into its blocks and is
counted; the next request carries those blocks back and is accepted, as the real API would
accept them only unchanged."""

from __future__ import annotations

import pytest

from claude_tui.core.blocks import ServerToolUseBlock, TextBlock, ToolResultBlock
from claude_tui.core.capabilities import builtin_capabilities
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Conversation, TurnStatus
from claude_tui.core.events import Failed, Finished
from claude_tui.core.request import next_messages, stream_request
from claude_tui.core.runner import StreamRunner
from claude_tui.localapi.models import MODELS
from claude_tui.localapi.server import LocalAPIServer, Scenario

from .runner_events import Recorder


def run(
    server: LocalAPIServer, api: ApiSettings, settings: Settings, convo: Conversation
) -> Finished:
    request = stream_request(settings, next_messages(convo), builtin_capabilities(settings.model))
    final = StreamRunner(request, Recorder(), api=api).run()
    assert isinstance(final, Finished), final.error.message if isinstance(final, Failed) else final
    return final


@pytest.mark.parametrize("model", [spec.id for spec in MODELS])
def test_a_search_on_each_model_streams_counts_and_goes_back(
    server: LocalAPIServer, api: ApiSettings, model: str
) -> None:
    settings = Settings(model=model, web_search=True, web_fetch=True, web_max_uses=2)
    convo = Conversation()
    convo.add_user("Which cats like water?")
    server.push(Scenario(search="cats that like water"))
    final = run(server, api, settings, convo)
    sent = server.message_requests[-1]["body"]
    if not builtin_capabilities(model).web_search:
        assert "tools" not in sent  # left out, and said so in /context (request_shape notes)
        assert not any(isinstance(b, ServerToolUseBlock) for b in final.blocks)
        return
    assert {tool["name"] for tool in sent["tools"]} == {"web_search", "web_fetch"}
    assert all(tool["max_uses"] == 2 for tool in sent["tools"])
    use, result, *texts = final.blocks
    assert isinstance(use, ServerToolUseBlock) and use.input == {"query": "cats that like water"}
    assert isinstance(result, ToolResultBlock) and result.tool_use_id == use.id
    assert any(isinstance(t, TextBlock) and t.citations for t in texts)
    assert final.metrics.web_search_requests == 1
    # the next turn sends the search, its results and the cited text back, unchanged
    turn = convo.start_assistant()
    turn.blocks, turn.status = list(final.blocks), TurnStatus.COMPLETE
    convo.add_user("Thanks!")
    server.push(Scenario(text="You're welcome."))
    run(server, api, settings, convo)
    again = server.message_requests[-1]["body"]["messages"][1]["content"]
    assert again == [block.to_api() for block in final.blocks]
