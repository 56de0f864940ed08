"""The `speechcast` command's entry point (and `python -m pipeline`).

Loading the command line takes a tenth of a second; a Ctrl-C that lands meanwhile ends it with
the same one line as any other interruption, not with a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("speechcast: interrupted.\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
