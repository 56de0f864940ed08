"""The web app's routes (Starlette): the page, its JSON API, the event stream of render progress,
and the library's files. Every step calls the library API the command line calls."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import InputError, SettingsError, SpeechcastError

if TYPE_CHECKING:
    from ..speech.engines import Speech
from ..i18n import Message
from ..model import Script
from ..publish.staging import sweep
from ..settings import Pauses, RenderSettings
from . import library
from .drafts import Draft, Drafts
from .guard import Guard, problem_response
from .isolated import READ_SECONDS
from .jobs import Order, Renders
from .views import EdgeCheck, LiveFeed, readings_to_check, understood, voice_list

_ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class ServeSettings:
    out_root: Path
    port: int
    token: str | None = None
    """Required of every request when set (the app is bound to a non-loopback address)."""
    max_upload: int = 20 * 1024 * 1024
    workers: int = 1
    cache: Path | None = None
    read_seconds: float = READ_SECONDS
    """How long one upload may take to read before its reading process is stopped."""


class _Problem(Exception):
    """A request the app must refuse, with the message the page shows."""

    def __init__(self, status: int, template: str | Message, /, **fields: Any) -> None:
        self.message = template if isinstance(template, Message) else Message(template, **fields)
        super().__init__(self.message.say())
        self.status = status


_BROWSER = "speechcast-browser"
"""The cookie that tells one browser's renders from another's."""


def _browser(request: Request) -> str:
    return request.cookies.get(_BROWSER, "")


_WORKSPACE = "speechcast-serve-"


def _workspace() -> Path:
    """A fresh folder for this server's uploads, named for its process; the folders of servers that
    were killed (their process gone) are removed first, so uploads never pile up."""
    base = Path(tempfile.gettempdir())
    for stale in base.glob(f"{_WORKSPACE}*"):
        pid = stale.name[len(_WORKSPACE) :].split("-", 1)[0]
        if stale.is_dir() and not stale.is_symlink() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_WORKSPACE}{os.getpid()}-", dir=base))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, another user's
        return True
    return True


def create_app(config: ServeSettings) -> Guard:
    out_root = config.out_root.resolve()
    sweep(out_root)  # what renders killed with an earlier server left half-written
    workspace = _workspace()
    drafts = Drafts(workspace / "drafts", config.read_seconds)
    renders = Renders(out_root, config.cache, config.workers)
    edge = EdgeCheck()
    live_feed = LiveFeed(out_root)
    # A podcast app keeps no cookies: with a token, every address the feed gives carries it in its path.
    prefix = f"/t/{config.token}" if config.token else ""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(renders.shutdown)
            shutil.rmtree(workspace, ignore_errors=True)

    async def page(request: Request) -> Response:
        html = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
        answer = Response(html, media_type="text/html; charset=utf-8", headers=_NO_STORE | _PAGE_POLICY)
        if not _browser(request):  # this browser's renders are its own: the job list shows no one else's
            answer.set_cookie(_BROWSER, secrets.token_urlsafe(16), httponly=True, samesite="strict", path="/")
        return answer

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return _not_found()
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        return Response(text, media_type=_ASSETS[name], headers=_NO_STORE)

    async def new_draft(request: Request) -> Response:
        async with request.form(max_files=1, max_fields=4, max_part_size=config.max_upload) as form:
            upload = form.get("file")
            if upload is not None and not isinstance(upload, str):
                data = await upload.read(config.max_upload + 1)
                if len(data) > config.max_upload:
                    raise _Problem(413, "The file is too large: speechcast takes manuscripts up to {mb} MB.", mb=config.max_upload // 2**20)
                draft = await run_in_threadpool(drafts.add_file, upload.filename or "", data)
            else:
                draft = await run_in_threadpool(drafts.add_text, str(form.get("text") or ""))
        return JSONResponse(await run_in_threadpool(_draft_answer, drafts, draft))

    async def get_draft(request: Request) -> Response:
        draft = _draft(drafts, request)
        return JSONResponse(await run_in_threadpool(_draft_answer, drafts, draft))

    async def edit_script(request: Request) -> Response:
        draft = _draft(drafts, request)
        markdown = (await _body(request)).get("script")
        if not isinstance(markdown, str):
            raise _Problem(400, "Send the script as text.")
        script = await run_in_threadpool(drafts.edit, draft, markdown)
        return JSONResponse(await run_in_threadpool(_draft_json, draft, script, False))

    async def get_readings(request: Request) -> Response:
        draft = _draft(drafts, request)
        script = await run_in_threadpool(drafts.script, draft)
        return JSONResponse({"readings": await run_in_threadpool(readings_to_check, script)})

    async def set_reading(request: Request) -> Response:
        draft = _draft(drafts, request)
        body = await _body(request)
        script = await run_in_threadpool(drafts.set_reading, draft, _text(body, "word"), _text(body, "reading"))
        return JSONResponse(await run_in_threadpool(_draft_json, draft, script))

    async def one_line(request: Request, act: Callable[[Draft, int, str], Draft], missing: Message) -> Response:
        """Restore a removed line, or take out one kept in doubt: the request names it by (line, text)."""
        draft = _draft(drafts, request)
        body = await _body(request)
        line, text = body.get("line"), body.get("text")
        if not isinstance(line, int) or not isinstance(text, str):
            raise _Problem(400, missing)
        await run_in_threadpool(act, draft, line, text)
        return JSONResponse(await run_in_threadpool(_draft_answer, drafts, draft))

    async def restore(request: Request) -> Response:
        return await one_line(request, drafts.restore, Message("Say which removed line to restore (its line and text)."))

    async def remove(request: Request) -> Response:
        return await one_line(request, drafts.remove, Message("Say which unsure line to take out (its line and text)."))

    async def settings(_request: Request) -> Response:
        # The live podcast feed: the address a phone subscribes to carries the token in its path.
        return JSONResponse({"max_upload": config.max_upload, "feed": f"{prefix}/feed.xml", "files": f"{prefix}/files/"})

    async def voices(_request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(voice_list))

    async def edge_check(_request: Request) -> Response:
        return JSONResponse({"reachable": await edge.reachable()}, headers=_NO_STORE)

    async def feed(request: Request) -> Response:
        # Its links start with the address the client used (a phone on the network gets the LAN address).
        base = f"{str(request.base_url).rstrip('/')}{prefix}/feed/"
        tracks = request.query_params.get("tracks", "") in ("1", "true", "yes")
        xml = await run_in_threadpool(live_feed.xml, base, tracks)
        return Response(xml, media_type="application/rss+xml; charset=utf-8", headers=_NO_STORE)

    async def feed_file(request: Request) -> Response:
        """What the live feed names: its chapter files, and the library's files by their paths."""
        from ..publish.feed import CHAPTERS_FOLDER

        path = request.path_params["path"]
        folder, _, name = path.partition("/")
        if folder == CHAPTERS_FOLDER:
            chapters = live_feed.chapters(name)
            return _not_found() if chapters is None else Response(chapters, media_type="application/json+chapters", headers=_NO_STORE)
        found = await run_in_threadpool(library.library_file, out_root, path)
        return _not_found() if found is None else FileResponse(found, headers=_NO_STORE, content_disposition_type="inline")

    async def preview(request: Request) -> Response:
        body = await _body(request)
        draft = _draft(drafts, request, body.get("draft"))
        speech, engine = await run_in_threadpool(_preview, await run_in_threadpool(drafts.script, draft), _text(body, "voice"), _rate(body), config.cache)
        media = f"audio/{'mpeg' if speech.format == 'mp3' else speech.format}"
        return Response(speech.data, media_type=media, headers=_NO_STORE | {"x-speechcast-engine": engine})

    async def start_render(request: Request) -> Response:
        body = await _body(request)
        draft = _draft(drafts, request, body.get("draft"))
        script = await run_in_threadpool(drafts.script, draft)
        source = await run_in_threadpool(drafts.write_script, draft)
        orders = _orders(body, source, script, str(draft.folder), draft.name)
        return JSONResponse({"jobs": [renders.submit(o, _browser(request)).id for o in orders]})

    async def rerender(request: Request) -> Response:
        body = await _body(request)
        found = library.render_folder(out_root, _text(body, "render"))
        if found is None or not found[1].script:
            raise _Problem(404, "That render is no longer in the library: refresh the page.")
        folder, manifest = found
        draft = await run_in_threadpool(drafts.from_script, folder.parent.name, manifest.script)
        source = await run_in_threadpool(drafts.write_script, draft)
        owner = manifest.source.owner or None  # the same manuscript: its folder, another voice
        orders = _orders(body, source, await run_in_threadpool(drafts.script, draft), owner, manifest.source.path or None)
        return JSONResponse({"jobs": [renders.submit(o, _browser(request)).id for o in orders]})

    async def cancel(request: Request) -> Response:
        try:
            job = renders.cancel(request.path_params["job"], _browser(request))
        except KeyError:
            return _not_found()
        return JSONResponse({"id": job.id, "state": job.state})

    async def jobs(request: Request) -> Response:
        return JSONResponse({"jobs": renders.snapshot(_browser(request))})

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            seen, quiet = -1, 0.0
            while not await request.is_disconnected():
                now = renders.version()
                if now != seen:
                    seen, quiet = now, 0.0
                    yield f"data: {json.dumps({'jobs': renders.snapshot(_browser(request))}, ensure_ascii=False)}\n\n"
                elif quiet >= 15:
                    quiet = 0.0
                    yield ": still here\n\n"  # keeps proxies and the browser from closing an idle stream
                await asyncio.sleep(0.2)
                quiet += 0.2

        return StreamingResponse(stream(), media_type="text/event-stream", headers=_NO_STORE)

    async def library_list(_request: Request) -> Response:
        return JSONResponse({"renders": await run_in_threadpool(library.entries, out_root)})

    async def library_file(request: Request) -> Response:
        path = await run_in_threadpool(library.library_file, out_root, request.path_params["path"])
        if path is None:
            return _not_found()
        return FileResponse(path, headers=_NO_STORE, content_disposition_type="inline")

    async def library_zip(request: Request) -> Response:
        found = library.render_folder(out_root, request.path_params["key"])
        if found is None:
            return _not_found()
        folder, manifest = found
        handle, name = tempfile.mkstemp(suffix=".zip", dir=workspace)
        with os.fdopen(handle, "wb") as out:
            await run_in_threadpool(library.write_zip, folder, manifest, out)
        title = f"{folder.parent.name}-{folder.name}.zip"
        return FileResponse(name, media_type="application/zip", filename=title, background=BackgroundTask(os.unlink, name))

    routes = [
        Route("/", page), Route("/assets/{name}", asset),
        Route("/api/drafts", new_draft, methods=["POST"]), Route("/api/drafts/{draft}", get_draft),
        Route("/api/drafts/{draft}/script", edit_script, methods=["POST"]),
        Route("/api/drafts/{draft}/restore", restore, methods=["POST"]),
        Route("/api/drafts/{draft}/remove", remove, methods=["POST"]), Route("/api/drafts/{draft}/reading", set_reading, methods=["POST"]),
        Route("/api/drafts/{draft}/readings", get_readings),
        Route("/api/settings", settings), Route("/api/voices", voices), Route("/api/edge", edge_check),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/renders", start_render, methods=["POST"]), Route("/api/jobs", jobs),
        Route("/api/jobs/{job}/cancel", cancel, methods=["POST"]), Route("/api/events", events),
        Route("/api/library", library_list), Route("/api/library/rerender", rerender, methods=["POST"]),
        Route("/files/{path:path}", library_file), Route("/zip/{key:path}", library_zip),
        Route("/feed.xml", feed), Route("/feed/{path:path}", feed_file),
    ]  # fmt: skip
    handlers = {_Problem: _problem, SpeechcastError: _speechcast_error, 404: _not_found_handler, 405: _not_found_handler}
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    return Guard(app, port=config.port, token=config.token, max_upload=config.max_upload)


_NO_STORE = {"cache-control": "no-store"}
_PAGE_POLICY = {
    # The page runs only its own script: injected markup could not run anything even if it got in.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _draft(drafts: Drafts, request: Request, given: Any = None) -> Draft:
    draft_id = given if given is not None else request.path_params.get("draft")
    try:
        return drafts.get(str(draft_id))
    except KeyError:
        raise _Problem(404, "That manuscript is no longer here (the app was restarted): choose the file again.") from None


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body())
    except (ValueError, RecursionError):  # RecursionError: a body nested thousands deep
        raise _Problem(400, "The request was not understood: reload the page.") from None
    if not isinstance(data, dict):
        raise _Problem(400, "The request was not understood: reload the page.")
    return data


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise _Problem(400, "Say which {name} (it is missing).", name=name)
    return value


def _rate(body: dict[str, Any]) -> str | None:
    rate = body.get("rate")
    return rate if isinstance(rate, str) and rate not in ("", "+0%") else None


def _orders(body: dict[str, Any], source: Path, script: Script, owner: str | None, named: str | None) -> list[Order]:
    """One order a voice; every voice and setting checked before any is queued."""
    from ..speech.presets import resolve, with_overrides

    names = body.get("voices")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _Problem(400, "Choose at least one voice.")
    engine = body.get("engine", "auto")
    if engine not in ("auto", "edge", "espeak"):
        raise _Problem(400, "The engine is auto, edge or espeak.")
    pace = body.get("pace", 1.0)
    if not isinstance(pace, (int, float)):
        raise _Problem(400, "The pace is a number (1 is normal).")
    rate = _rate(body)
    for name in names:
        with_overrides(resolve(name), rate, None, None)  # an unknown voice or a bad rate is named now
    formats = RenderSettings.formats_named(body.get("format", "mp3"))
    settings = replace(RenderSettings(), pauses=Pauses().scaled(float(pace)), formats=formats)
    if not any(p for s in script.sections for p in s.paragraphs) and not script.title:
        raise InputError("The script holds no speech: put the text back, or choose another manuscript.")
    return [Order(source, script, name, engine, rate, settings, owner, named) for name in dict.fromkeys(names)]


def _preview(script: Script, name: str, rate: str | None, cache: Path | None) -> tuple[Speech, str]:
    """The first sentence of the speech in one voice, through the chunk cache (a render reuses it)."""
    from ..paths import cache_dir
    from ..render import choose_voice, chunk_for, read_as_set
    from ..speech.cache import ChunkCache
    from ..speech.synthesize import Synthesis
    from ..text.readings import gathered

    voice = choose_voice(name, rate=rate)
    chunks = read_as_set(chunk_for(script, RenderSettings(), voice.engine), voice, gathered(None, script.readings))
    body = [c for c in chunks if c.role == "body"] or chunks
    if not body:
        raise InputError("The script holds no speech to preview.")
    job = Synthesis(body[:1], voice.engine, voice.preset.settings, ChunkCache(cache or cache_dir()), jobs=1).start()
    return job.audio(body[0], lambda speech: speech), voice.engine.id


def _draft_answer(drafts: Drafts, draft: Draft) -> dict[str, Any]:
    """The draft as the page shows it: reading its script and outlining it take time, so this runs
    off the event loop (a large manuscript must not hold every other request)."""
    return _draft_json(draft, drafts.script(draft))


def _draft_json(draft: Draft, script: Script, with_script: bool = True) -> dict[str, Any]:
    data = {"id": draft.id, "name": draft.name, "edited": draft.edited, "understood": understood(script)}
    if with_script:
        data["script"] = draft.script_md
    return data


def _not_found() -> Response:
    return problem_response(404, Message("Not found."))


async def _not_found_handler(_request: Request, _exc: Exception) -> Response:
    return _not_found()


async def _problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _Problem)
    return problem_response(exc.status, exc.message)


async def _speechcast_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SpeechcastError)
    status = 400 if isinstance(exc, (InputError, SettingsError)) else 503
    return problem_response(status, exc.message)


def new_token() -> str:
    return secrets.token_urlsafe(18)
