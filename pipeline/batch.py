"""Many manuscripts in many voices, as the command line asks for them: the library side of
`speechcast render A B … -v x -v y`.

`render_many` goes through the manuscripts one by one and, for each, through its voices one after
another (the engine's bound on parallel requests holds across files too). What the caller wants to
hear as it goes — warnings, the notice that a render replaced something asked for before, each
result — arrives through a `Listener`; the command line prints it, another caller may log it. A
manuscript that fails is reported and the others go on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import InputError, OutputError, SettingsError, SpeechcastError
from .i18n import Message
from .model import Script
from .render import RenderResult, choose_voice, plan_render, render, unchanged
from .settings import RenderSettings
from .speech.synthesize import Progress


@dataclass(frozen=True)
class Request:
    """What was asked for every manuscript: the voices and how they speak, and where renders go."""

    voices: tuple[str, ...] = ("xiaoxiao",)
    engine: str = "auto"
    rate: str | None = None
    pitch: str | None = None
    volume: str | None = None
    settings: RenderSettings = field(default_factory=RenderSettings)
    out_root: Path | None = None
    cache: Path | None = None
    player: bool = True
    appendix: bool = False
    save: Path | None = None
    """Also put the whole speech here (.mp3 or .m4b): one manuscript in one voice."""

    SAVE_SUFFIXES = (".mp3", ".m4b")

    def __post_init__(self) -> None:
        if self.save is None:
            return
        if self.save.suffix.lower() not in self.SAVE_SUFFIXES:
            raise SettingsError("--save {path} must end in .mp3 or .m4b: name the file the whole speech goes to.", path=self.save)
        if not self.save.parent.is_dir():  # said before the render, not after it
            raise OutputError("{folder} is not a folder: create it, or --save somewhere else.", folder=self.save.parent)
        if self.save.is_dir():
            raise OutputError("{path} is a folder: give a file name to write to.", path=self.save)
        if len(dict.fromkeys(self.voices)) != 1:
            raise SettingsError("--save takes one voice: render the others without it, or into their own folders with -o.")
        if self.save.suffix.lower()[1:] not in self.settings.formats:  # asked for by name: made, whatever --format said
            object.__setattr__(self, "settings", dataclasses.replace(self.settings, formats=(*self.settings.formats, self.save.suffix.lower()[1:])))


class Listener(Protocol):
    def warning(self, text: Message) -> None: ...
    def notice(self, text: Message) -> None: ...
    def finished(self, result: RenderResult) -> None: ...
    def progress(self, manuscript: str) -> Progress | None: ...


@dataclass(frozen=True)
class Outcome:
    """One manuscript of a batch: its renders, or why it failed."""

    given: str
    results: tuple[RenderResult, ...] = ()
    error: SpeechcastError | None = None


def expand(arguments: Sequence[str]) -> list[str]:
    """The manuscripts named: a folder stands for the readable manuscripts in it, in name order."""
    found: list[str] = []
    for given in arguments:
        folder = Path(given)
        if is_link(given) or not folder.is_dir():
            found.append(given)
            continue
        from .text.readers import FORMATS, READABLE  # (only for a folder: an unchanged render reads nothing)

        inside = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in READABLE and not p.name.startswith("."))
        if not inside:
            raise InputError("{folder} holds no manuscript ({formats}): give files, or another folder.", folder=folder, formats=FORMATS)
        found += [str(p) for p in inside]
    return list(dict.fromkeys(found))


def is_link(given: str) -> bool:
    return given.lower().startswith(("http://", "https://"))


def source(manuscript: str, cache: Path | None = None) -> tuple[Path, str]:
    """(local path, link or "") of a manuscript file or a link, fetched into the downloads folder first."""
    if not is_link(manuscript):
        return Path(manuscript), ""
    from .paths import cache_dir
    from .text.fetch import fetch

    return fetch(manuscript, (cache or cache_dir()) / "downloads"), manuscript


def pasted(text: str, cache: Path | None = None) -> Path:
    """Text given on the command line or piped in, kept as a manuscript file of its own: named by
    its first line (so its renders are), in a folder named by its content (so two texts with one
    first line never share a file)."""
    import hashlib

    from .paths import cache_dir
    from .publish.staging import atomic_write_text, safe_filename

    if not text.strip():
        raise InputError("There is no text to read: give the manuscript's text, e.g. `cat 讲话.txt | speechcast render -`.")
    first = next(line.strip() for line in text.splitlines() if line.strip())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = (cache or cache_dir()) / "pasted" / digest / f"{safe_filename(first[:30], fallback='speech')}.txt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text if text.endswith("\n") else text + "\n")
    return path


def given(manuscripts: Sequence[str], text: str | None, stdin: str | None, cache: Path | None = None) -> list[str]:
    """The manuscripts a command names: files, folders, links, `-` for the text on standard input
    (`stdin`), and `--text`'s."""
    found = [str(pasted(stdin or "", cache)) if m == "-" else m for m in manuscripts]
    if text is not None:
        found.append(str(pasted(text, cache)))
    if not found:
        raise InputError("Give a manuscript: a file, a folder, a link, - for standard input, or --text.")
    return expand(found)


def read(manuscript: str, appendix: bool = False, cache: Path | None = None) -> Script:
    """The manuscript's script (a link is fetched first, and named as the script's source)."""
    return _load(*source(manuscript, cache), appendix)


def _load(path: Path, link: str, appendix: bool) -> Script:
    from .text.manuscript import load_script

    script = load_script(path, appendix=appendix)
    if link:
        script.source = link  # the manifest names the link it came from
    return script


def render_one(manuscript: str, request: Request, listener: Listener) -> list[RenderResult]:
    """Every voice of one manuscript, one after another. An unchanged render needs no engine: it is
    confirmed before any probe, so it stays the answer offline too, and unchanged bytes are not even
    read again."""
    path, link = source(manuscript, request.cache)
    settings, out, player = request.settings, request.out_root, request.player
    loaded: list[Script] = []

    def script() -> Script:  # read once, and only when some voice is not up to date
        if not loaded:
            loaded.append(_load(path, link, request.appendix))
            for warning in loaded[0].warnings:  # what outline would flag: a render should not hide it
                listener.warning(warning)
        return loaded[0]

    results: list[RenderResult] = []
    for name in dict.fromkeys(request.voices):
        unasked = choose_voice(name, request.engine, rate=request.rate, pitch=request.pitch, volume=request.volume, probe=False)
        done = unchanged(path, unasked, settings=settings, out_root=out, player=player, appendix=request.appendix)
        planned = None
        if done is None:
            planned = plan_render(path, unasked, script(), settings, out, player)
            done = planned.existing(unasked)
        if done is None:
            chosen = choose_voice(name, request.engine, rate=request.rate, pitch=request.pitch, volume=request.volume)
            for warning in chosen.warnings:
                listener.warning(warning)
            done = render(path, chosen, script=script(), settings=settings, out_root=out, cache=request.cache, progress=listener.progress(manuscript),
                          player=player, appendix=request.appendix, planned=planned)  # fmt: skip
            if done.replaced:  # files a person asked for before never vanish without a word
                listener.notice(done.replaced)
        listener.finished(done)
        results.append(done)
    if request.save is not None:
        save(results[-1], request.save)
    return results


def save(result: RenderResult, target: Path) -> Path:
    """A copy of the render's whole speech in the format `target` names, put there whole or not at all."""
    from .publish.staging import atomic_copy

    whole = next(p for p in result.files[:2] if p.suffix.lower() == target.suffix.lower())
    atomic_copy(whole, target)
    return target


def render_many(manuscripts: Sequence[str], request: Request, listener: Listener) -> Iterator[Outcome]:
    """Each manuscript in turn, its outcome as it ends; one that fails does not stop the others."""
    for given in manuscripts:
        try:
            yield Outcome(given, tuple(render_one(given, request, listener)))
        except SpeechcastError as err:
            yield Outcome(given, error=err)
