"""Text stage: a manuscript file becomes a Script.

Takes a path (plain text in any common encoding, .docx, Markdown); gives a Script (title, salutation,
sections, closing), the removal report, and the chunks an engine speaks.
"""
