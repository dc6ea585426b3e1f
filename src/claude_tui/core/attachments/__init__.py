"""Attachments: images, PDFs and text files put into a prompt.

A file becomes one content block (``blocks.ImageBlock`` or ``blocks.DocumentBlock``) carrying
an :class:`~claude_tui.core.attachments.info.AttachmentInfo`: what the app shows about it (name,
kind, size, pixels or pages) and the SHA-256 of what is sent, under which the store keeps the
bytes once. The modules here read a file and decide what it is (``prepare``), know the API's
limits (``limits``), and turn what a person typed or pasted into paths (``paths``). Pillow and
pypdf are imported only when a file needs them, so start-up never pays for them.
"""
