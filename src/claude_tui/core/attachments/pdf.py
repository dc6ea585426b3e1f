"""A PDF made ready to send: read with pypdf for its page count, refused when the API would
refuse it (encrypted, unreadable, over 100 pages).

pypdf is imported here, inside the function, when the first PDF is attached. It reports what it
repaired in a non-compliant file through ``logging`` (the ``pypdf`` logger); with no handler of
the app's own, Python's last-resort handler would print those lines over the TUI. They are
caught instead, per thread, and the last one is named when the file is refused.
"""

from __future__ import annotations

import io
import logging
import threading

from claude_tui.core.attachments.build import pdf_block
from claude_tui.core.attachments.limits import PDF_MAX_PAGES
from claude_tui.core.attachments.reading import AttachmentError
from claude_tui.core.blocks import DocumentBlock


class _Caught(logging.Handler):
    """Keeps each thread's pypdf messages (workers may read two PDFs at once)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        caught: list[str] | None = getattr(self.local, "caught", None)
        if caught is not None:
            caught.append(record.getMessage())

    def start(self) -> list[str]:
        caught: list[str] = []
        self.local.caught = caught
        return caught

    def stop(self) -> None:
        self.local.caught = None


_HANDLER = _Caught()


def _pypdf_logger() -> logging.Logger:
    """The ``pypdf`` logger, sending to :data:`_HANDLER` only (set up once, idempotently)."""
    logger = logging.getLogger("pypdf")
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)
    logger.propagate = False
    return logger


def prepare_pdf(name: str, data: bytes) -> DocumentBlock:
    """The document block for a PDF file's ``data``. Raises AttachmentError."""
    _pypdf_logger()
    caught = _HANDLER.start()
    try:
        pages = _page_count(name, data, caught)
    finally:
        _HANDLER.stop()
    if pages > PDF_MAX_PAGES:
        raise AttachmentError(
            f"{name} has {pages} pages; the API takes PDFs of up to {PDF_MAX_PAGES} pages: "
            "split it and attach the part you need"
        )
    if pages == 0:
        raise AttachmentError(f"{name} has no pages: there is nothing to attach")
    return pdf_block(name, data, pages)


def _page_count(name: str, data: bytes, caught: list[str]) -> int:
    from pypdf import PdfReader

    try:
        # Not a bare BytesIO: pypdf asks it for its buffer, which copies all of it in one
        # call that holds the interpreter; through a reader it seeks and reads in pieces.
        reader = PdfReader(io.BufferedReader(io.BytesIO(data)))
        if reader.is_encrypted:
            raise AttachmentError(
                f"{name} is encrypted: the API takes only PDFs without a password or "
                "protection; save a copy without it and attach that"
            )
        return len(reader.pages)
    except AttachmentError:
        raise
    except Exception as error:
        reason = str(error).strip() or type(error).__name__
        if caught:
            reason = f"{reason}; {caught[-1]}"
        raise AttachmentError(f"{name} is not a readable PDF ({reason})") from None
