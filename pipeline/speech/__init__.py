"""Speech stage: chunks become cached audio.

Takes chunks and a voice (a preset, resolved to an engine); gives each chunk's audio as the engine
spoke it, from the chunk cache where it can and from the engine where it must.
"""
