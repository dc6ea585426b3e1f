"""Every theme Textual offers in the picker draws a reply: ``ansi-dark`` and ``ansi-light``
name their colours ``ansi_blue``, which Rich cannot parse, and previewing one crashed the app
in the Markdown view's theme."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.widgets.markdown.view import MarkdownView

from .helpers import make_app, send_and_finish

REPLY = (
    "# Heading\n\n## Second\n\n> a quote with `code`\n\n- item [link](https://example.com)\n\n"
    "```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\nEnd of the reply."
)


async def test_every_available_theme_draws_the_markdown_view(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text=REPLY))
    app = make_app(api)
    async with app.run_test(size=(100, 40)) as pilot:
        await send_and_finish(pilot, "show me markdown")
        themes = sorted(app.available_themes)
        assert {"ansi-dark", "ansi-light", "claude-light", "textual-dark"} <= set(themes)
        drawn = []
        for name in themes:
            app.theme = name
            await pilot.pause()
            view = app.query(MarkdownView).last()
            lines = [view.render_line(y).text for y in range(view.size.height)]
            assert app.is_running and app.theme == name
            drawn.append((name, any("End of the reply." in line for line in lines)))
        assert [name for name, shown in drawn if not shown] == []
