"""The MP3 encoder process: 16-bit mono PCM on stdin, LAME's frames into a file.

    python -m pipeline.sound.mp3encode RATE KBPS QUALITY OUTPUT

Run by publish.mp3.Mp3Writer. OUTPUT starts with `info_size` zero bytes where the writer puts the Info
frame once it knows the totals. A process of its own because LAME (through lameenc) holds the GIL
while it encodes, which would stall the render's other threads; and not ffmpeg, whose threads hand
every 24 ms frame to each other: for the same LAME encode it burnt about twice the CPU, most of a
second core on a 2-core machine, in futex calls.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lameenc

READ_BYTES = 1 << 19
LAME_QUALITY = 7
"""LAME's -q: 7 encodes twice as fast as ffmpeg's default (5) and, for speech at 64 kbit/s, decodes
closer to the input (waveform SNR 25 dB against 21 on an espeak sample), so it costs nothing."""


def frame_bytes(sample_rate: int, kbps: int) -> int:
    """The size of an unpadded Layer III frame: 1152 samples a frame at 32 kHz and up, 576 below."""
    samples = 1152 if sample_rate >= 32000 else 576
    return samples // 8 * kbps * 1000 // sample_rate


def lame(sample_rate: int, kbps: int, quality: int = LAME_QUALITY) -> lameenc.Encoder:
    """A LAME encoder for 16-bit mono PCM, set up as every speechcast MP3 is made."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(quality)
    return encoder


def main(argv: list[str]) -> int:
    rate, kbps, quality, path = int(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    encoder = lame(rate, kbps, quality)
    try:
        with open(path, "wb") as out:
            out.write(bytes(frame_bytes(rate, kbps)))
            carry = b""
            while block := sys.stdin.buffer.read(READ_BYTES):
                block = carry + block
                whole = len(block) - len(block) % 2  # never half a sample
                carry = block[whole:]
                out.write(encoder.encode(block[:whole]))
            out.write(encoder.flush())
    except OSError as err:  # the writer shows the last line to the user
        print(err.strerror or err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
