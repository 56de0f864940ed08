"""Sound stage: clips become one timeline and PCM.

Takes each chunk's audio; gives it trimmed and placed with our pauses on one timeline, track by
track, normalised to the loudness target, and the MP3 encoder process that turns PCM into frames.
"""
