"""Attachments: images, PDFs and text files put into a prompt.

A file becomes one content block (``blocks.ImageBlock`` or ``blocks.DocumentBlock``) carrying
an :class:`~claude_tui.core.attachments.info.AttachmentInfo`: what the app shows about it (name,
kind, size, pixels or pages) and the SHA-256 of what is sent, under which the store keeps the
bytes once. The modules here:

- ``prepare``: a file to a block (``reading`` reads it once and safely; ``image``, ``pdf`` and
  ``build`` do each kind; ``preview`` draws an image's thumbnail string);
- ``sniff``: what a file is from its first bytes, and an image's size from its header;
- ``limits``: the API's limits; ``fit``: the checks before a send, and token estimates
  (``json_size``: a request's size without writing it, kept for large strings);
- ``paths``: what a person typed or pasted (``/attach``, a dropped file, ``@path``) as paths,
  and completion of a half-typed one;
- ``info``: what the app shows and keeps about an attachment.

Pillow and pypdf are imported only when a file needs them, so start-up never pays for them.
"""
