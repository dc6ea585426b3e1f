"""What the local server makes of the attachments it accepts: token counts, the record a test can
read back (``received_attachments``), and the demo reply that says what arrived.

All through the real SDK over real HTTP.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import anthropic

from claude_tui.localapi.attachments import PDF_PAGE_TOKENS, image_tokens
from claude_tui.localapi.server import LocalAPIServer

from .attachment_samples import (
    MODEL,
    image_block,
    image_bytes,
    pdf_block,
    pdf_bytes,
    text_block,
    text_pdf,
    user,
)

PROMPT = "What is in these?"
PNG = image_bytes("PNG", 800, 600)
PDF = pdf_bytes(12)
SOURCE = "\n".join(["def main():", "\tprint(sys.argv)  ", *[f"x{n} = {n}" for n in range(40)]])


def client_for(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)


def three() -> list[dict[str, Any]]:
    return user(image_block(PNG), pdf_block(PDF), text_block(SOURCE), text=PROMPT)


def text_tokens(*texts: str) -> int:
    return math.ceil(sum(len(t) for t in texts) / 4)


def test_an_image_costs_its_pixels_over_750_at_the_size_the_api_reads(
    server: LocalAPIServer,
) -> None:
    client = client_for(server)
    count = client.messages.count_tokens(model=MODEL, messages=user(image_block(PNG), text=PROMPT))  # type: ignore[arg-type]
    assert count.input_tokens == 800 * 600 // 750 + text_tokens(PROMPT)  # 640 + 5
    # The API's own table of sizes it reads as they are (about 1,600 tokens each) ...
    assert image_tokens(1092, 1092) == 1590
    assert image_tokens(784, 1568) == math.ceil(784 * 1568 / 750)
    # ... and larger ones are scaled down first, keeping their aspect.
    assert image_tokens(3000, 3000) == image_tokens(1108, 1108) == 1637
    assert image_tokens(8000, 10) == math.ceil(1568 * 1 / 750)


def test_input_tokens_and_count_tokens_count_every_kind_alike(server: LocalAPIServer) -> None:
    client = client_for(server)
    messages = three()
    expected = (
        800 * 600 // 750
        + 12 * PDF_PAGE_TOKENS
        + text_tokens(PROMPT, SOURCE, "main.py", "report.pdf")
    )
    assert client.messages.count_tokens(model=MODEL, messages=messages).input_tokens == expected  # type: ignore[arg-type]
    with client.messages.stream(model=MODEL, max_tokens=64, messages=messages) as stream:  # type: ignore[arg-type]
        message = stream.get_final_message()
    assert message.usage.input_tokens == expected


def test_a_pdfs_text_counts_besides_its_pages(server: LocalAPIServer) -> None:
    pdf = text_pdf([b"Quarterly report" * 10])
    count = client_for(server).messages.count_tokens(
        model=MODEL,
        messages=user(pdf_block(pdf, title=None), text="Summarise"),  # type: ignore[arg-type]
    )
    assert count.input_tokens == PDF_PAGE_TOKENS + text_tokens("Quarterly report" * 10, "Summarise")


def test_the_prompt_cache_splits_the_same_total_with_attachments(server: LocalAPIServer) -> None:
    client = client_for(server)
    messages = user(pdf_block(PDF), image_block(PNG), text=PROMPT)
    total = client.messages.count_tokens(model=MODEL, messages=messages).input_tokens  # type: ignore[arg-type]
    usages = [
        client.messages.create(
            model=MODEL,
            max_tokens=16,
            messages=messages,  # type: ignore[arg-type]
            cache_control={"type": "ephemeral"},
        ).usage
        for _ in range(2)
    ]
    assert (usages[0].cache_creation_input_tokens, usages[0].input_tokens) == (total, 0)
    assert (usages[1].cache_read_input_tokens, usages[1].input_tokens) == (total, 0)


def test_a_test_can_read_back_what_each_request_carried(server: LocalAPIServer) -> None:
    client = client_for(server)
    client.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    client.messages.count_tokens(model=MODEL, messages=three())  # type: ignore[arg-type]
    assert server.received_attachments(0) == []
    image, pdf, text = server.received_attachments(1)
    assert (image.kind, image.media_type, image.width, image.height) == (
        "image",
        "image/png",
        800,
        600,
    )
    assert (image.size, image.sha256) == (len(PNG), hashlib.sha256(PNG).hexdigest())
    assert (pdf.kind, pdf.media_type, pdf.pages, pdf.title) == (
        "pdf",
        "application/pdf",
        12,
        "report.pdf",
    )
    assert (pdf.size, pdf.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (text.kind, text.lines, text.title, text.text) == ("text", 42, "main.py", SOURCE)
    assert text.sha256 == hashlib.sha256(SOURCE.encode()).hexdigest()
    assert [(a.message, a.block) for a in (image, pdf, text)] == [(0, 0), (0, 1), (0, 2)]


def reply_text(server: LocalAPIServer, messages: list[dict[str, Any]]) -> str:
    with client_for(server).messages.stream(model=MODEL, max_tokens=64, messages=messages) as s:  # type: ignore[arg-type]
        message = s.get_final_message()
    return "".join(block.text for block in message.content if block.type == "text")


def test_the_demo_reply_names_each_attachment_then_answers(server: LocalAPIServer) -> None:
    text = reply_text(server, three())
    paragraphs = text.split("\n\n")
    assert paragraphs[:5] == [
        "I received 3 attachments: an image (PNG, 800×600), a PDF “report.pdf” (12 pages) and a "
        "text document “main.py” (42 lines).",
        "- The image is 800×600 pixels, about 640 tokens to read.",
        "- The PDF “report.pdf” has 12 pages.",
        "- The text document “main.py” begins:",
        "```python\ndef main():\n    print(sys.argv)\n```",
    ]
    assert len(paragraphs) > 5  # then the demo's answer to the prompt's words
    assert text == text.rstrip()


def test_the_demo_reply_to_attachments_alone_only_says_what_arrived(
    server: LocalAPIServer,
) -> None:
    pdf = text_pdf([b"Quarterly report"])
    text = reply_text(server, user(pdf_block(pdf, title="q3.pdf"), text=None))
    assert text == (
        "I received a PDF “q3.pdf” (1 page).\n\n"
        "- The PDF “q3.pdf” has 1 page, and its first line reads “Quarterly report”."
    )


def test_the_demo_reply_names_only_the_last_prompts_attachments(server: LocalAPIServer) -> None:
    messages = [
        *user(image_block(PNG), text="first"),
        {"role": "assistant", "content": "Seen."},
        *user(image_block(image_bytes("GIF", 3, 2), "image/gif"), text=None),
    ]
    assert reply_text(server, messages).startswith("I received an image (GIF, 3×2).")


def test_titles_and_contents_stay_plain_text(server: LocalAPIServer) -> None:
    title = "x**bold**](http://e.vil)\x1b[31m\u202e.py"
    body = "```\n\x07evil``` line\n"
    text = reply_text(server, user(text_block(body, title=title), text=None))
    assert text == (
        "I received a text document “x\\*\\*bold\\*\\*\\](http://e.vil)\\[31m.py” (2 lines).\n\n"
        "- The text document “x\\*\\*bold\\*\\*\\](http://e.vil)\\[31m.py” begins:\n\n"
        "````python\n```\nevil``` line\n````"
    )
