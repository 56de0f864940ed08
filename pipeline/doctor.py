"""`speechcast doctor`: what a user runs first when something is wrong."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from . import aio
from .paths import writable_base
from .speech.cache import ChunkCache
from .speech.engines import engine_classes


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _encoder() -> Check:
    """The MP3 encoder (LAME, through lameenc), set up as renders set it up, encodes a second of silence."""
    from .sound.mp3encode import lame

    try:
        encoder = lame(24000, 64)
        data = encoder.encode(bytes(2 * 24000)) + encoder.flush()
    except Exception as err:  # a broken wheel must not stop the other checks
        return Check("mp3 encoder", False, f"LAME does not work ({err}): reinstall speechcast (`pip install -e .`).")
    version = metadata.version("lameenc")
    return Check("mp3 encoder", bool(data), f"LAME (lameenc {version}): ready" if data else "LAME wrote nothing: reinstall lameenc.")


def engine_check(name: str, timeout: float) -> Check:
    try:
        engine = engine_classes()[name]()
        version = engine.version
        ok = aio.run(engine.available(timeout))
    except Exception as err:  # a broken plugin must not stop the other checks
        return Check(f"engine {name}", False, f"fails to load: {err}")
    if ok:
        return Check(f"engine {name}", True, f"{version}: ready")
    hint = "no answer from the service: renders fall back to the offline voice" if engine.needs_network else "not usable"
    return Check(f"engine {name}", False, f"{version}: {hint}")


def _proxy() -> Check:
    """Which way Edge is reached: a proxy names itself (its address without any password in it)."""
    from .errors import SettingsError
    from .speech.engines.edge_service import Service

    try:
        proxy = Service.from_url(None).proxy
    except SettingsError as err:
        return Check("proxy", False, str(err))
    if proxy is None:
        return Check("proxy", True, "none: Edge is reached directly (set --proxy or HTTPS_PROXY behind an office proxy)")
    parts = urlsplit(proxy)
    return Check("proxy", True, f"Edge is reached through {parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}")


def _folder(label: str, path: Path) -> Check:
    """Whether files can be written in `path`, or where it would be created; a check creates nothing."""
    try:
        existing = writable_base(path)
    except OSError as err:
        return Check(label, False, f"{path} cannot be written ({err.strerror}): choose another folder.")
    free = shutil.disk_usage(existing).free
    state = "is writable" if existing == path else "will be created"
    return Check(label, True, f"{path} {state}, {free / 2**30:.1f} GiB free")


def run_checks(cache_dir: Path, output_root: Path, timeout: float = 3.0) -> list[Check]:
    checks = [_encoder()]
    checks += [engine_check(name, timeout) for name in engine_classes()]
    checks.append(_proxy())
    cache = _folder("cache", cache_dir)
    if cache.ok:
        entries, size = ChunkCache(cache_dir).size()
        cache = Check("cache", True, f"{cache.detail}; {entries} chunks, {size / 2**20:.1f} MiB")
    checks.append(cache)
    checks.append(_folder("output", output_root))
    return checks
