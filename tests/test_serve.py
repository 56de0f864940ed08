"""`speechcast serve` over plain HTTP: what it understood, what it refuses, and that it keeps serving.
The page itself is driven in Chromium in test_serve_page.py."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import LONG_SPEECH
from serve_util import SEED, Server, page_answers

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

SEED_SECTIONS = ["一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养", "四、狠抓作风建设"]


def wait_jobs(server: Server, ids: list[str], timeout: float = 120) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = {j["id"]: j for j in server.request("/api/jobs").json()["jobs"]}
        if all(jobs[i]["state"] in ("done", "failed", "cancelled") for i in ids):
            return jobs
        time.sleep(0.2)
    raise AssertionError(f"jobs {ids} did not end: {jobs}")


def rendered(server: Server, manuscript: Path, voice: str = "offline-female") -> dict:
    """Upload and render `manuscript`; the library entry of the render."""
    draft = server.upload(manuscript.name, manuscript.read_bytes()).json()
    ids = server.post_json("/api/renders", {"draft": draft["id"], "voices": [voice]}).json()["jobs"]
    job = wait_jobs(server, ids)[ids[0]]
    assert job["state"] == "done", job
    return next(e for e in server.request("/api/library").json()["renders"] if e["id"] == job["render"])


def test_the_seed_is_understood_and_a_removed_line_can_be_put_back(serve) -> None:
    server = serve()
    assert server.address.startswith("http://127.0.0.1:") and "token" not in server.address
    draft = server.upload("讲话稿.txt", SEED.read_bytes()).json()
    understood = draft["understood"]
    assert understood["title"] == "在机关主题党日活动后的讲话"
    assert understood["salutation"] == "同志们："
    assert [s["title"] for s in understood["sections"] if s["kind"] == "section"] == SEED_SECTIONS
    assert understood["sections"][-1]["kind"] == "closing"
    removed = understood["removed"]
    assert len(removed) == 10 and all(r["reason"] for r in removed)
    assert draft["script"].startswith("<!-- speechcast script v1 -->")

    back = removed[2]
    restored = server.post_json(f"/api/drafts/{draft['id']}/restore", {"line": back["line"], "text": back["text"]}).json()
    assert len(restored["understood"]["removed"]) == 9
    assert back["text"] not in [r["text"] for r in restored["understood"]["removed"]]
    spoken = restored["script"].split("<!-- removed")[0]
    assert back["text"] in spoken


def test_a_line_kept_as_unsure_is_listed_and_one_request_takes_it_out(serve) -> None:
    server = serve()
    manuscript = SEED.parent / "623_huang-xiaohuang-if2025-embodied-ai.md"
    draft = server.upload(manuscript.name, manuscript.read_bytes()).json()
    unsure = draft["understood"]["unsure"]
    assert unsure, "the keynote's stray × (a closed pop-up's mark) is no longer in doubt: pick another manuscript for this test"
    doubt = unsure[0]
    assert doubt["text"] in draft["script"].split("<!-- removed")[0], "an unsure line is spoken until a person takes it out"
    after = server.post_json(f"/api/drafts/{draft['id']}/remove", {"line": doubt["line"], "text": doubt["text"]}).json()
    assert doubt["text"] not in after["script"].split("<!-- removed")[0]
    assert {"line": doubt["line"], "text": doubt["text"], "reason": "by-hand"} in [
        {k: r[k] for k in ("line", "text", "reason")} for r in after["understood"]["removed"]
    ]
    assert doubt not in after["understood"]["unsure"]
    assert server.post_json(f"/api/drafts/{draft['id']}/remove", {"line": "x"}).status == 400


def test_an_edit_of_the_script_is_what_the_outline_shows(serve) -> None:
    server = serve()
    draft = server.upload("seed.txt", SEED.read_bytes()).json()
    script = draft["script"].replace("## 四、狠抓作风建设", "## 四、狠抓作风建设\n\n### （一）新加的小节\n\n新加的一段话。")
    edited = server.post_json(f"/api/drafts/{draft['id']}/script", {"script": script}).json()
    titles = [(s["title"], s["level"]) for s in edited["understood"]["sections"]]
    assert ("（一）新加的小节", 2) in titles
    assert edited["edited"] is True
    again = server.request(f"/api/drafts/{draft['id']}").json()
    assert again["script"] == script


def test_bad_uploads_get_one_plain_sentence_and_the_app_goes_on(serve, tmp_path: Path) -> None:
    server = serve()
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    cases = {"picture.png": (png, 400), "empty.txt": (b"", 400), "blank.txt": (b" \n\n ", 400),
             "big.txt": ("讲话".encode() * (25 * 1024 * 1024 // 6), 413), "random.bin": (os.urandom(4096), 400)}  # fmt: skip
    for name, (data, status) in cases.items():
        answer = server.upload(name, data)
        assert answer.status == status, (name, answer.status, answer.body[:200])
        message = answer.json()["error"]
        assert message.endswith((".", ":", "。")) and "\n" not in message and "Traceback" not in message, message
        assert "speechcast-serve-" not in message and str(tmp_path) not in message, message  # our paths stay ours
        if status == 400:
            assert name in message, message
    assert "20 MB" in server.upload("big.txt", b"x" * (21 * 1024 * 1024)).json()["error"]
    assert server.upload("seed.txt", SEED.read_bytes()).status == 200
    assert server.alive()


def test_a_larger_limit_is_taken_from_max_upload(serve) -> None:
    server = serve("--max-upload", "30")
    answer = server.upload("big.txt", "同志们：".encode() + "讲话。".encode() * (22 * 1024 * 1024 // 9))
    assert answer.status != 413, answer.body[:200]


def test_path_tricks_on_every_download_route_are_not_found(serve, make_speech, tmp_path: Path) -> None:
    server = serve()
    entry = rendered(server, make_speech("short.txt", sections=2, paragraphs=1, sentences=2))
    folder = server.out / entry["id"]
    assert server.request(entry["full"]).status == 200
    assert server.request(f"/files/{entry['id']}/manifest.json").status == 200
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    (folder / "link.mp3").symlink_to(secret)
    (folder / ".speechcast-0123456789ab.part").write_text("half", encoding="utf-8")
    (server.out / "short" / "linked").symlink_to(folder, target_is_directory=True)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["srt"] = "link.mp3"  # a manifest naming a symlink does not open it either
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    tricks = [
        "/files/../secret.txt", "/files/%2e%2e/%2e%2e/secret.txt", "/files/short/../../secret.txt",
        "/files/%2Fetc%2Fpasswd", "/files//etc/passwd", "/files/short/offline-female/link.mp3",
        "/files/short/offline-female/.speechcast-0123456789ab.part", "/files/short/linked/manifest.json",
        "/files/short/offline-female/..%2F..%2F..%2Fsecret.txt", "/files/short/offline-female/%5C..%5Csecret.txt",
        "/files/short/offline-female/nothing.mp3", "/files/short/offline-female", "/files/short",
        "/zip/../short/offline-female", "/zip/short/linked", "/zip/%2e%2e/%2e%2e", "/zip/short/offline-female/../x",
        "/files/feed.xml", "/files/short/offline-female/manifest.json%00.mp3",
        "/feed/../secret.txt", "/feed/%2e%2e/secret.txt", "/feed/short/offline-female/link.mp3", "/feed/short/linked/manifest.json",
        "/feed/chapters/..%2F..%2Fsecret.txt", "/feed/chapters/.hidden.json", "/feed/chapters/x/../../secret.json", "/feed/chapters/",
        "/feed/chapters/nothing.json", "/feed/feed.xml", "/feed/short/offline-female/.speechcast-0123456789ab.part",
    ]  # fmt: skip
    # The live feed (its chapters in place for the tricks on them) follows no symlink either.
    enclosures = re.findall(r'<enclosure url="([^"]+)"', server.request("/feed.xml").body.decode("utf-8"))
    assert [urlsplit(u).path for u in enclosures] == [entry["full"].replace("/files/", "/feed/", 1)], enclosures
    for path in tricks:
        answer = server.request(path)
        assert answer.status == 404, (path, answer.status)
        assert b"not for the web" not in answer.body
    archive = zipfile.ZipFile(io.BytesIO(server.request(entry["zip"]).body))
    assert "link.mp3" not in " ".join(archive.namelist())
    assert server.alive()


def test_a_request_from_another_origin_cannot_start_a_render(serve) -> None:
    server = serve()
    draft = server.upload("seed.txt", SEED.read_bytes()).json()
    body = {"draft": draft["id"], "voices": ["offline-female"]}
    assert server.post_json("/api/renders", body, {"Origin": "http://evil.example"}).status == 403
    assert server.post_json("/api/renders", body, {"Origin": f"http://localhost:{server.port}"}).status == 403
    no_header = server.request("/api/renders", data=json.dumps(body).encode(), method="POST",
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert no_header.status == 403
    form = server.request("/api/renders", data=f"draft={draft['id']}&voices=offline-female".encode(), method="POST",
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"})  # fmt: skip
    assert form.status == 403
    assert server.upload("seed.txt", SEED.read_bytes(), {"Origin": "http://evil.example"}).status == 403
    assert server.request("/api/jobs").json()["jobs"] == []
    # A site whose name was re-pointed at 127.0.0.1 (DNS rebinding) is not answered at all.
    assert server.request("/api/library", host=f"evil.example:{server.port}").status == 403
    same = server.post_json("/api/renders", body, {"Origin": f"http://127.0.0.1:{server.port}"})
    assert same.status == 200


def test_on_another_host_every_request_needs_the_token(serve) -> None:
    server = serve("--host", "0.0.0.0")
    assert server.token and len(server.token) >= 20

    def anonymous(path: str, **kw):  # type: ignore[no-untyped-def]
        return server.request(path, anonymous=True, **kw)

    assert anonymous("/").status == 403
    assert anonymous("/api/library").status == 403
    assert anonymous("/api/library?token=wrong").status == 403
    assert anonymous("/files/feed.xml").status == 403
    assert anonymous("/t/wrong/files/feed.xml").status == 403
    assert anonymous("/api/drafts", data=b"x", method="POST", headers={"X-Speechcast": "1"}).status == 403
    first = anonymous(f"/?token={server.token}")
    assert first.status == 200 and "speechcast_token=" in first.headers.get("set-cookie", "")
    cookie = first.headers["set-cookie"].split(";", 1)[0]
    assert "httponly" in first.headers["set-cookie"].lower() and "samesite=strict" in first.headers["set-cookie"].lower()
    assert anonymous("/api/library", headers={"Cookie": cookie}).status == 200
    assert anonymous("/api/voices", headers={"Cookie": "speechcast_token=nope"}).status == 403
    assert anonymous(f"/t/{server.token}/api/library").status == 200


def test_a_phone_subscribes_to_the_feed_through_the_token_address(serve, make_speech, cli) -> None:
    """A podcast app keeps no cookies: the live feed, and every address in it, carry the token in the path."""
    import feedparser

    server = serve("--host", "0.0.0.0")
    settings = server.request("/api/settings").json()
    assert settings["feed"] == f"/t/{server.token}/feed.xml" and settings["files"] == f"/t/{server.token}/files/"
    assert server.request("/feed.xml", anonymous=True).status == 403
    assert server.request("/t/wrong/feed.xml", anonymous=True).status == 403
    rendered(server, make_speech("short.txt", sections=2, paragraphs=1, sentences=2))
    answer = server.request(settings["feed"], anonymous=True)
    assert answer.status == 200
    feed = feedparser.parse(answer.body)
    assert not feed.bozo and len(feed.entries) == 1
    enclosure = feed.entries[0].enclosures[0]
    base = f"http://127.0.0.1:{server.port}/t/{server.token}/feed/"
    assert enclosure.href.startswith(base)
    assert server.request(enclosure.href.removeprefix(f"http://127.0.0.1:{server.port}/t/{server.token}"), anonymous=True).status == 403
    audio = server.request(enclosure.href.removeprefix(f"http://127.0.0.1:{server.port}"), anonymous=True)
    assert audio.status == 200 and len(audio.body) == int(enclosure.length) and audio.body[:3] in (b"ID3", b"\xff\xfb")
    chapters = server.request(feed.entries[0].podcast_chapters["url"].removeprefix(f"http://127.0.0.1:{server.port}"), anonymous=True)
    assert chapters.status == 200 and [c["title"] for c in chapters.json()["chapters"]][:1] == ["开场"]
    # A feed `speechcast feed` wrote for another address is still served as written, and left alone.
    done = cli.run("feed", server.out, "--base-url", "http://192.0.2.1/podcast/")
    assert done.returncode == 0, done.stderr
    written = (server.out / "feed.xml").read_bytes()
    assert server.request(settings["feed"], anonymous=True).status == 200
    assert server.request(f"/t/{server.token}/files/feed.xml", anonymous=True).body == written == (server.out / "feed.xml").read_bytes()


def test_the_edge_check_is_asked_once_and_its_answer_kept_a_while(serve, edge_service) -> None:
    server = serve()
    assert server.request("/api/edge").json() == {"reachable": True}
    edge_service.stop()  # gone now, but the answer of a moment ago stands (reloading does not probe again)
    assert server.request("/api/edge").json() == {"reachable": True}


def test_the_edge_check_says_when_edge_does_not_answer(serve) -> None:
    server = serve()
    started = time.monotonic()
    assert server.request("/api/edge").json() == {"reachable": False}
    assert time.monotonic() - started < 5
    assert server.request("/api/edge").headers["cache-control"] == "no-store"


def test_two_renders_queue_and_a_cancelled_one_leaves_nothing(serve, make_speech, edge_service) -> None:
    edge_service.speed = 6.0  # slow enough to be caught mid-render
    server = serve()
    path = make_speech("long.txt", sections=3, paragraphs=3, sentences=4)
    draft = server.upload(path.name, path.read_bytes()).json()
    ids = server.post_json("/api/renders", {"draft": draft["id"], "voices": ["xiaoxiao", "yunyang"]}).json()["jobs"]
    assert len(ids) == 2
    deadline = time.monotonic() + 60
    while True:
        jobs = {j["id"]: j for j in server.request("/api/jobs").json()["jobs"]}
        if jobs[ids[0]]["state"] == "running" and jobs[ids[0]]["done"] > 0:
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.1)
    assert jobs[ids[1]]["state"] == "queued" and jobs[ids[1]]["queue_position"] == 1
    assert jobs[ids[0]]["engine"] == "edge" and jobs[ids[0]]["requests"] >= 1
    assert server.post_json(f"/api/jobs/{ids[0]}/cancel", {}).status == 200
    ended = wait_jobs(server, ids, timeout=180)
    assert ended[ids[0]]["state"] == "cancelled", ended
    assert ended[ids[1]]["state"] == "done", ended
    assert not (server.out / "long" / "xiaoxiao").exists()
    assert not list(server.out.rglob(".speechcast-*"))
    assert (server.out / "long" / "yunyang" / "manifest.json").is_file()


def test_pasted_text_a_preview_and_the_page_policy(serve) -> None:
    server = serve()
    boundary = "paste-boundary"
    text = SEED.read_text(encoding="utf-8")
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n--{boundary}--\r\n').encode()
    draft = server.request("/api/drafts", data=body, method="POST",
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Speechcast": "1"}).json()  # fmt: skip
    assert draft["understood"]["title"] == "在机关主题党日活动后的讲话"
    assert draft["name"] == "在机关主题党日活动后的讲话.txt"  # the title, not the advert on its first line
    preview = server.post_json("/api/preview", {"draft": draft["id"], "voice": "offline-female", "rate": "+20%"})
    assert preview.status == 200 and preview.headers["content-type"] == "audio/wav"
    assert preview.body[:4] == b"RIFF" and len(preview.body) > 24_000 and preview.headers["x-speechcast-engine"] == "espeak"
    unknown = server.post_json("/api/preview", {"draft": draft["id"], "voice": "nobody"})
    assert unknown.status == 400 and "voice preset" in unknown.json()["english"] and "声音预设" in unknown.json()["error"]
    page = server.request("/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert server.post_json("/api/renders", {"draft": "nope", "voices": ["offline-female"]}).status == 404
    assert server.post_json("/api/renders", {"draft": draft["id"], "voices": []}).status == 400
    assert server.post_json("/api/renders", {"draft": draft["id"], "voices": ["offline-female"], "pace": 9}).status == 400


@pytest.mark.browser
def test_every_format_load_reads_is_read_the_same_through_the_app(serve, tmp_path: Path) -> None:
    """What the page shows of a PDF, a Word file, a web page, Markdown and Big5 text is what
    `load_script` (the command line's reading) makes of the same bytes, whatever the file is called."""
    import docx
    from test_pdf import print_to_pdf

    from pipeline.text.manuscript import load_script

    corpus, fixtures = SEED.parent, SEED.parents[1] / "fixtures" / "manuscripts"
    word = tmp_path / "seed.docx"
    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(word))
    files = [print_to_pdf(SEED, tmp_path), word, corpus / "web" / "503_people-zhengbanqiao-gb2312.html",
             next(corpus.glob("2*.md")), fixtures / "traditional_big5.txt"]  # fmt: skip
    server = serve()
    for path in files:
        expected = load_script(path)
        for name in (path.name, "稿件"):  # a name without a suffix: the first bytes tell
            if name == "稿件" and path.suffix not in (".pdf", ".docx"):
                continue
            shown = server.upload(name, path.read_bytes())
            assert shown.status == 200, (name, shown.body[:300])
            understood = shown.json()["understood"]
            assert understood["title"] == expected.title, path.name
            assert [s["title"] for s in understood["sections"]] == [s.title for s in expected.sections], path.name
            assert len(understood["removed"]) == len(expected.removed), path.name


def test_two_uploads_of_one_name_keep_two_folders_and_a_rerender_joins_its_own(serve, tmp_path: Path) -> None:
    server = serve()
    other = tmp_path / "讲话.txt"
    other.write_text("在全市座谈会上的讲话\n\n同志们：\n\n今天我们在这里召开座谈会，听取大家的意见和建议。\n\n谢谢大家！\n", encoding="utf-8")
    seed = tmp_path / "seed" / "讲话.txt"
    seed.parent.mkdir()
    seed.write_bytes(SEED.read_bytes())
    first, second = rendered(server, seed), rendered(server, other)
    assert first["id"].split("/")[0] != second["id"].split("/")[0], (first["id"], second["id"])
    ids = server.post_json("/api/library/rerender", {"render": first["id"], "voices": ["offline-male"]}).json()["jobs"]
    job = wait_jobs(server, ids)[ids[0]]
    assert job["state"] == "done" and job["render"].split("/")[0] == first["id"].split("/")[0], job


def test_a_cancel_while_encoding_ends_the_job_at_once_and_the_queue_moves_on(serve, make_speech, most_of_a_long_speech) -> None:
    """Offline, part of the speech cached: cancelled once every chunk is spoken (the tracks being
    encoded), the job is 已取消 within two seconds, nothing stays at the output path, and the next
    render runs."""
    most_of_a_long_speech(Path(os.environ["SPEECHCAST_CACHE_DIR"]), "offline-female")
    server = serve()
    path = make_speech("long.txt", **LONG_SPEECH)
    draft = server.upload(path.name, path.read_bytes()).json()
    ids = server.post_json("/api/renders", {"draft": draft["id"], "voices": ["offline-female", "offline-male"], "engine": "espeak"}).json()["jobs"]
    deadline = time.monotonic() + 120
    while True:
        job = {j["id"]: j for j in server.request("/api/jobs").json()["jobs"]}[ids[0]]
        if job["state"] in ("finishing", "done"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["cached"] > 0 and job["total"] > 0, job
    asked = time.monotonic()
    assert server.post_json(f"/api/jobs/{ids[0]}/cancel", {}).status == 200
    first = wait_jobs(server, ids[:1], timeout=30)[ids[0]]
    if first["state"] == "cancelled":  # (a fast machine may have finished first: then it is done, whole)
        assert time.monotonic() - asked < 2.5, "the cancel took more than two seconds"
        assert not (server.out / "long" / "offline-female").exists()
    else:
        assert first["state"] == "done", first
    assert wait_jobs(server, ids[1:], timeout=180)[ids[1]]["state"] == "done"
    assert not list(server.out.rglob(".speechcast-*"))


def test_sigterm_stops_the_server_within_five_seconds_mid_render(serve, make_speech) -> None:
    server = serve()
    path = make_speech("long.txt", sections=10, paragraphs=8, sentences=8)
    draft = server.upload(path.name, path.read_bytes()).json()
    ids = server.post_json("/api/renders", {"draft": draft["id"], "voices": ["offline-female"], "engine": "espeak"}).json()["jobs"]
    deadline = time.monotonic() + 60
    while {j["id"]: j for j in server.request("/api/jobs").json()["jobs"]}[ids[0]]["state"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    asked = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=10)
    assert time.monotonic() - asked < 5, "serve took more than five seconds to stop"
    assert not list(server.out.rglob(".speechcast-*")) and not (server.out / "long" / "offline-female").exists()


def test_a_body_framed_in_chunks_cannot_slip_past_the_limit(serve) -> None:
    """Content-Length: 100 beside Transfer-Encoding: chunked, then megabytes in chunks: refused before
    anything is parsed, and the server keeps serving."""
    import socket

    server = serve("--max-upload", "1")
    head = (f"POST /api/drafts HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Speechcast: 1\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n").encode()  # fmt: skip
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for _ in range(40):  # 2.5 MB, over the 1 MB limit
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused while still sending: what the answer says is checked below
        answer = sock.recv(4096).decode("latin-1")
    status = int(answer.split(" ", 2)[1]) if answer.startswith("HTTP/1.1 ") else 0
    assert status in (400, 411, 413), answer[:200]
    assert server.request("/").status == 200


def test_the_guard_counts_the_body_itself_whatever_the_headers_say() -> None:
    """What the HTTP parser lets through is no matter: a chunked body, or one longer than its
    Content-Length claims, never reaches the app past the limit."""
    import asyncio

    from pipeline.web.guard import Guard

    reached: list[int] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reached.append(len(body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def ask(headers: list[tuple[bytes, bytes]], chunks: int) -> int:
        messages = [{"type": "http.request", "body": b"x" * 65536, "more_body": k < chunks - 1} for k in range(chunks)]
        sent: list[dict] = []

        async def receive() -> dict:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/drafts", "scheme": "http", "server": ("127.0.0.1", 8000),
                 "headers": [(b"host", b"127.0.0.1:8000"), (b"x-speechcast", b"1"), *headers]}  # fmt: skip
        asyncio.run(Guard(app, port=8000, token=None, max_upload=1024 * 1024)(scope, receive, send))
        return next(m["status"] for m in sent if m["type"] == "http.response.start")

    assert ask([(b"content-length", b"100"), (b"transfer-encoding", b"chunked")], 40) in (411, 413)
    assert ask([(b"transfer-encoding", b"chunked")], 40) in (411, 413)
    assert ask([(b"content-length", b"100")], 40) == 413  # the header lied: the body is counted
    assert ask([(b"content-length", str(2 * 65536).encode())], 2) == 200 and reached == [2 * 65536]


def test_the_uploads_of_a_killed_server_are_cleared_when_one_starts(serve, tmp_path: Path) -> None:
    import subprocess
    import sys
    import tempfile

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    stale = Path(tempfile.gettempdir()) / f"speechcast-serve-{gone.stdout.strip()}-abc123"
    (stale / "drafts" / "x").mkdir(parents=True)
    (stale / "drafts" / "x" / "manuscript.txt").write_text("讲话", encoding="utf-8")
    server = serve()
    assert server.request("/").status == 200
    assert not stale.exists(), "a dead server's uploads stayed"
    assert list(Path(tempfile.gettempdir()).glob(f"speechcast-serve-{server.process.pid}-*")), "the live server's own folder is named for it"


def test_a_browser_sees_and_cancels_only_its_own_renders(serve, make_speech) -> None:
    server = serve()
    page = server.request("/")
    cookie = page.headers.get("set-cookie", "").split(";", 1)[0]
    assert cookie.startswith("speechcast-browser=") and len(cookie) > 30, page.headers
    mine, theirs = {"Cookie": cookie}, {"Cookie": "speechcast-browser=someone-else"}
    path = make_speech("long.txt", sections=6, paragraphs=6, sentences=6)
    draft = server.upload(path.name, path.read_bytes(), headers=mine).json()
    ids = server.post_json("/api/renders", {"draft": draft["id"], "voices": ["offline-female"], "engine": "espeak"}, headers=mine).json()["jobs"]
    assert len(ids[0]) >= 12 and not ids[0].startswith("r"), "a job id one could guess"
    assert [j["id"] for j in server.request("/api/jobs", headers=mine).json()["jobs"]] == ids
    assert server.request("/api/jobs", headers=theirs).json()["jobs"] == []
    assert server.post_json(f"/api/jobs/{ids[0]}/cancel", {}, headers=theirs).status == 404
    assert server.post_json(f"/api/jobs/{ids[0]}/cancel", {}, headers=mine).status == 200


def test_a_body_nested_thousands_deep_is_a_clear_400(serve) -> None:
    server = serve()
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    answer = server.request("/api/renders", data=deep, method="POST", headers={"Content-Type": "application/json", "X-Speechcast": "1"})
    assert answer.status == 400 and "not understood" in answer.json()["english"] and "请求无法理解" in answer.json()["error"]
    assert server.request("/").status == 200


def test_half_written_files_a_killed_render_left_are_swept_when_the_server_starts(serve, tmp_path: Path) -> None:
    folder = tmp_path / "output" / "讲话" / "offline-female"
    folder.mkdir(parents=True)
    stale = folder / ".speechcast-0123456789ab.part"
    stale.write_bytes(b"half an mp3")
    kept = folder / "讲话.mp3"
    kept.write_bytes(b"a finished file")
    server = serve()
    assert server.request("/").status == 200
    assert not stale.exists() and kept.exists()


def test_hostile_uploads_are_refused_in_a_sentence_and_leave_no_draft_behind(serve, tmp_path: Path) -> None:
    """Each crafted file (made by tests/test_hostile.py's makers) is a 400 in one sentence within
    30 s, no draft folder stays for it, and the server answers the page within a second meanwhile."""
    import tempfile

    from test_hostile import broken_xml, entity_bomb, huge_text, stream_bomb

    server = serve()
    drafts = lambda: list(Path(tempfile.gettempdir()).glob(f"speechcast-serve-{server.process.pid}-*/drafts/*"))  # noqa: E731
    with page_answers(server) as slowest:
        for make in (broken_xml, entity_bomb, stream_bomb, huge_text):
            path = make(tmp_path)
            started = time.monotonic()
            answer = server.upload(path.name, path.read_bytes())
            assert answer.status == 400 and time.monotonic() - started < 30, (path.name, answer.status, answer.body[:300])
            message, english = answer.json()["error"], answer.json()["english"]
            assert "\n" not in message + english and "Traceback" not in message + english and "speechcast-serve-" not in message + english, message
            assert re.search(r"[\u4e00-\u9fff]{4}", message) and path.name in message, message  # the page's Chinese ...
            assert path.name in english and not re.search(r"[\u4e00-\u9fff]", english.replace(path.name, "")), english  # ... and the English
            assert drafts() == [], f"{path.name} left a draft folder"
    assert slowest and max(slowest) < 1.0, max(slowest)
    assert server.alive()


def test_connections_that_drip_their_headers_are_closed_and_the_server_answers_meanwhile(serve) -> None:
    import socket
    import time

    from pipeline.web.serve import HEADER_SECONDS

    server = serve()
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    for connection in slow:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line that ends the headers
    started = time.monotonic()
    assert server.request("/").status == 200 and time.monotonic() - started < 1.0
    time.sleep(HEADER_SECONDS + 1.5)
    for connection in slow:
        connection.settimeout(2)
        assert connection.recv(1024) == b"", "a connection with unfinished headers was held open"  # closed by the server
        connection.close()
    assert server.alive()


def test_a_soak_of_thirty_renders_cancelled_at_random_leaves_nothing_stuck(serve, make_speech) -> None:
    """Thirty renders of six manuscripts in two voices, each cancelled (or not) at a random moment
    as it queues, speaks, assembles or writes: every job ends, none fails, the page answers within a
    second throughout, no half-written file stays, and the server's threads are back to what they were."""
    import random

    server = serve()
    texts = [make_speech(f"soak{k}.txt", sections=4, paragraphs=3, sentences=4 + k) for k in range(6)]
    drafts = [server.upload(p.name, p.read_bytes()).json()["id"] for p in texts]
    rendered(server, texts[0])  # the workers exist now: the baseline counts them
    tasks = Path(f"/proc/{server.process.pid}/task")
    baseline = len(list(tasks.iterdir()))
    chance = random.Random(21)
    ids: list[str] = []
    with page_answers(server, every=0.25) as slowest:
        for _ in range(30):
            body = {"draft": chance.choice(drafts), "voices": [chance.choice(["offline-female", "offline-male"])], "engine": "espeak"}
            ids += server.post_json("/api/renders", body).json()["jobs"]
            time.sleep(chance.uniform(0, 0.4))
            if chance.random() < 0.7:
                assert server.post_json(f"/api/jobs/{chance.choice(ids[-3:])}/cancel", {}).status == 200
        ended = wait_jobs(server, ids, timeout=240)
    states = [job["state"] for job in ended.values()]
    assert "failed" not in states and {"done", "cancelled"} >= set(states), states
    assert states.count("cancelled") >= 5 and states.count("done") >= 5, states
    assert max(slowest) < 1.0, max(slowest)
    assert not [p for p in server.out.rglob("*") if p.name.startswith(".speechcast-") or p.suffix == ".part"]
    time.sleep(1)
    assert len(list(tasks.iterdir())) <= baseline + 1, (len(list(tasks.iterdir())), baseline)
    assert server.alive()


def test_a_manuscript_that_reads_past_its_deadline_is_stopped_and_the_server_goes_on(serve, monkeypatch) -> None:
    """Reading happens in a process of its own: one that runs past its time is killed, said in one
    sentence, and leaves nothing; the next upload is read as ever. (The deadline is shortened here so
    that a large ordinary file runs past it.)"""
    import tempfile

    monkeypatch.setenv("SPEECHCAST_READ_SECONDS", "0.2")
    server = serve()
    line = "同志们：今天我们召开全县工作会议，主要任务是总结工作、部署任务，请大家认真学习。\n"
    started = time.monotonic()
    answer = server.upload("大文件.txt", (line * (4 * 1024 * 1024 // len(line.encode()))).encode("utf-8"))
    assert answer.status == 400 and time.monotonic() - started < 5, (answer.status, answer.body[:200])
    assert answer.json()["english"].startswith("大文件.txt took longer than 0.2 s to read") and "读取 大文件.txt 超过 0.2 秒" in answer.json()["error"], (
        answer.json()
    )
    assert not list(Path(tempfile.gettempdir()).glob(f"speechcast-serve-{server.process.pid}-*/drafts/*"))
    assert server.upload("short.txt", "同志们：今天开会。\n谢谢大家！\n".encode()).status == 200
    assert server.alive()


def test_a_body_dripped_a_byte_at_a_time_is_refused_by_its_deadline(serve) -> None:
    import socket

    from pipeline.web.guard import BODY_GRACE

    server = serve()
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(f"POST /api/drafts HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Speechcast: 1\r\n"
                 "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n".encode())  # fmt: skip
    started = time.monotonic()
    slow.settimeout(0.5)
    answer = b""
    while time.monotonic() - started < BODY_GRACE + 5 and b"\r\n\r\n" not in answer:
        slow.sendall(b" ")
        assert server.request("/").status == 200  # the server answers others meanwhile
        with contextlib.suppress(TimeoutError):
            answer += slow.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert BODY_GRACE - 1 < time.monotonic() - started < BODY_GRACE + 5
    slow.close()
    assert server.alive()


def test_library_rows_say_from_what_and_how_each_render_was_made(serve, make_speech) -> None:
    server = serve()
    path = make_speech("例会.txt", sections=1, paragraphs=1, sentences=2)
    draft = server.upload(path.name, path.read_bytes()).json()
    body = {"draft": draft["id"], "voices": ["offline-female"], "engine": "espeak", "rate": "+20%", "format": "both"}
    ids = server.post_json("/api/renders", body).json()["jobs"]
    assert wait_jobs(server, ids)[ids[0]]["state"] == "done"
    (row,) = server.request("/api/library").json()["renders"]
    assert row["source"] == "例会.txt" and row["folder"] == "例会"
    assert row["settings"]["rate"] == "+20%" and row["settings"]["formats"] == ["mp3", "m4b"] and row["settings"]["cover"] is False


def test_a_reading_set_in_the_app_changes_only_the_sentences_that_use_it(serve, tmp_path: Path) -> None:
    """The page lists the names worth checking; a reading set there goes into the script, and the
    next render speaks again only the sentence holding the word (the job's figures say so)."""
    server = serve()
    path = tmp_path / "文化讲话.txt"
    path.write_text("在全县文化工作会议上的讲话\n\n同志们：\n\n隋唐英雄单雄信的故事，大家都熟悉。\n\n今年要把工作做好。\n\n谢谢大家！\n", encoding="utf-8")
    draft = server.upload(path.name, path.read_bytes()).json()
    checked = server.request(f"/api/drafts/{draft['id']}/readings").json()["readings"]
    assert {"word": "单雄信", "reading": "dan1 xiong2 xin4", "set": False} in checked
    body = {"draft": draft["id"], "voices": ["offline-female"], "engine": "espeak"}
    first = wait_jobs(server, server.post_json("/api/renders", body).json()["jobs"])
    assert all(j["state"] == "done" for j in first.values())
    bad = server.post_json(f"/api/drafts/{draft['id']}/reading", {"word": "单雄信", "reading": "shan xiong xin"})
    assert bad.status == 400 and "单雄信" in bad.json()["error"] and "tone-numbered pinyin" in bad.json()["english"]
    answer = server.post_json(f"/api/drafts/{draft['id']}/reading", {"word": "单雄信", "reading": "shan4 xiong2 xin4"}).json()
    assert "<!-- 读音： 单雄信 = shan4 xiong2 xin4 -->" in answer["script"]
    checked = server.request(f"/api/drafts/{draft['id']}/readings").json()["readings"]
    assert checked[0] == {"word": "单雄信", "reading": "shan4 xiong2 xin4", "set": True}
    ids = server.post_json("/api/renders", body).json()["jobs"]
    job = wait_jobs(server, ids)[ids[0]]
    assert job["state"] == "done" and job["total"] == 1 and job["cached"] >= 4, job  # one sentence spoken again, the rest from the cache
