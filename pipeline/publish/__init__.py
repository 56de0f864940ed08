"""Publish stage: a timeline becomes files.

Takes the Script, its chunks and their audio; gives the output folder: full and section MP3s with
tags and chapters, SRT/LRC, playlist, manifest and player page, all written atomically (write.py).
"""
