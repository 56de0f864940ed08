"""The real `edge-tts` command line, pointed at the service in SPEECHCAST_EDGE_URL.

edge-tts has no option for its service address: it reads the module global
edge_tts.communicate.WSS_URL when a request starts (edge_tts.constants is copied at import, so
patching it has no effect). The URL must already hold a "?" (edge-tts appends "&ConnectionId=…").
Everything else is edge-tts's own `main`, unchanged:

    SPEECHCAST_EDGE_URL=ws://127.0.0.1:PORT/…/edge/v1?TrustedClientToken=x \\
        python bench/edge_tts_cli.py -f speech.txt --voice zh-CN-XiaoxiaoNeural --write-media out.mp3
"""

from __future__ import annotations

import os
import sys

import edge_tts.communicate
from edge_tts.util import main

if __name__ == "__main__":
    url = os.environ.get("SPEECHCAST_EDGE_URL")
    if not url or "?" not in url:
        sys.exit("set SPEECHCAST_EDGE_URL to the stand-in's ws:// address (with its ?TrustedClientToken=…)")
    edge_tts.communicate.WSS_URL = url
    main()
