"""`speechcast serve` driven as its users drive it: the page in Chromium, the real server, the real
pipeline (espeak offline, Edge through the stand-in)."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page
from serve_util import SEED, Server
from test_serve import SEED_SECTIONS

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

SHOTS = Path(os.environ["SPEECHCAST_TEST_SHOTS"]) / "serve"  # sealed by conftest: never the repository's output/
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RENDER_TIMEOUT = 180_000


@pytest.fixture
def open_page(browser: Browser):
    contexts = []

    def start(server: Server, viewport=DESKTOP, locale: str | None = None) -> Page:
        # The page's CSP forbids eval, which Playwright's string predicates use; escaping is what the tests check.
        context = browser.new_context(viewport=viewport, accept_downloads=True, bypass_csp=True, locale=locale)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors  # type: ignore[attr-defined]
        page.goto(server.address)
        page.wait_for_selector("[data-testid=voice] input", state="attached")
        return page

    yield start
    for context in contexts:
        for page in context.pages:
            assert not page.errors, page.errors  # type: ignore[attr-defined]
        context.close()


def upload(page: Page, path: Path | None = None, *, name: str = "", data: bytes = b"") -> None:
    box = page.locator("[data-testid=upload] input[type=file]")
    if path is not None:
        box.set_input_files(path)
    else:
        box.set_input_files({"name": name, "mimeType": "application/octet-stream", "buffer": data})


def choose(page: Page, *voices: str) -> None:
    for box in page.locator("input[name=voice]").all():
        box.set_checked(box.get_attribute("value") in voices)


def job_rows(page: Page) -> list[dict]:
    return page.eval_on_selector_all(
        "#progress .job",
        """rows => rows.map(r => ({state: r.dataset.state,
        voice: r.querySelector('.job-voice').textContent, figures: r.querySelector('.job-figures').textContent}))""",
    )


def wait_done(page: Page, count: int = 1) -> None:
    page.wait_for_function(f"document.querySelectorAll('#progress .job[data-state=done]').length >= {count}", timeout=RENDER_TIMEOUT)


def play_in_player(page: Page) -> float:
    """Play the render in the page's player (muted) for a moment; how far it got, in seconds."""
    page.wait_for_function("document.querySelector('[data-testid=player]').src.includes('/files/')")
    frame = page.frame_locator("[data-testid=player]")
    frame.locator("audio").wait_for(state="attached")
    return frame.locator("audio").evaluate("""async (a) => {
        a.muted = true;
        if (a.readyState < 1) await new Promise(r => a.addEventListener('loadedmetadata', r, {once: true}));
        await a.play();
        await new Promise(r => setTimeout(r, 1200));
        return a.currentTime; }""")


def download(page: Page, link_text: str) -> bytes:
    with page.expect_download() as info:
        page.locator("[data-testid=download] a", has_text=link_text).first.click()
    return Path(info.value.path()).read_bytes()


def test_seed_offline_from_upload_to_download(serve, open_page) -> None:
    server = serve()
    page = open_page(server)
    upload(page, SEED)
    page.wait_for_selector("#o-sections li")
    titles = page.locator("#o-sections .section-title").all_text_contents()
    assert [t for t in titles if t in SEED_SECTIONS] == SEED_SECTIONS
    removed = page.locator("[data-testid=removed] li")
    assert removed.count() == 10
    text = removed.nth(2).locator("q").text_content()
    assert text and text not in page.locator("[data-testid=script]").input_value().split("<!-- removed")[0]
    removed.nth(2).locator("[data-testid=restore]").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=removed] li').length === 9")
    assert text in page.locator("[data-testid=script]").input_value().split("<!-- removed")[0]

    offline = page.locator("[data-testid=voice] label", has=page.locator("input[value=offline-female]"))
    assert "离线" in offline.text_content()
    choose(page, "offline-female")
    page.check("#m4b")
    page.click("[data-testid=render]")
    page.wait_for_function("[...document.querySelectorAll('#progress .job-figures')].some(f => /\\d+\\/\\d+ 段/.test(f.textContent))")
    wait_done(page)
    assert play_in_player(page) > 0.3
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#step-result").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "serve-result.png"))

    entry = server.request("/api/library").json()["renders"][0]
    folder = server.out / entry["id"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert text in manifest["script"].split("<!-- removed")[0]  # the restored line was spoken
    assert download(page, "完整 MP3") == (folder / manifest["files"]["full"]).read_bytes()
    assert download(page, "有声书 M4B") == (folder / manifest["files"]["m4b"]).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(download(page, "ZIP"))).namelist()
    base = f"{folder.parent.name}-{folder.name}/"
    assert sorted(names) == sorted(base + n for n in [manifest["files"]["full"], manifest["files"]["m4b"], manifest["files"]["srt"], manifest["files"]["lrc"],
                                                      "playlist.m3u8", "index.html", "manifest.json",
                                                      *(t[k] for t in manifest["tracks"] for k in ("file", "lrc"))])  # fmt: skip
    tracks = page.locator("[data-testid=download] .tracks a")
    assert tracks.count() == len(manifest["tracks"])
    assert page.locator("[data-testid=library] li").count() == 1


def test_edge_preview_render_and_another_voice_from_the_library(serve, open_page, edge_service) -> None:
    server = serve()
    page = open_page(server)
    upload(page, SEED)
    page.wait_for_selector("#o-sections li")
    choose(page, "xiaoxiao")
    page.click("[data-testid=preview]")
    seconds = page.locator("#preview-audio").evaluate("""async (a) => {
        while (!a.src) await new Promise(r => setTimeout(r, 50));
        if (a.readyState < 1) await new Promise(r => a.addEventListener('loadedmetadata', r, {once: true}));
        return a.duration; }""")
    assert 1 < seconds < 30
    page.click("[data-testid=render]")
    wait_done(page)
    assert job_rows(page)[0]["voice"] == "晓晓 · Edge 在线"
    assert play_in_player(page) > 0.3
    item = page.locator("[data-testid=library] li").first
    item.locator("select").select_option("yunyang")
    item.locator("button.rerender").click()
    wait_done(page, 2)
    voices = sorted(e["voice"] for e in server.request("/api/library").json()["renders"])
    assert voices == ["xiaoxiao", "yunyang"]
    assert (server.out / "000_f942a4ce7236a7e5" / "yunyang" / "manifest.json").is_file()


def test_two_voices_queue_and_cancel_leaves_no_file(serve, open_page, edge_service, make_speech) -> None:
    edge_service.speed = 6.0
    server = serve()
    page = open_page(server)
    upload(page, make_speech("long.txt", sections=3, paragraphs=3, sentences=4))
    page.wait_for_selector("#o-sections li")
    choose(page, "xiaoxiao", "yunyang")
    page.click("[data-testid=render]")
    page.wait_for_function(
        """(() => { const r = [...document.querySelectorAll('#progress .job')];
        return r.length === 2 && r.some(j => j.dataset.state === 'queued') && r.some(j => j.dataset.state === 'running'
          && /[1-9]\\d*\\/\\d+ 段/.test(j.querySelector('.job-figures').textContent)); })()""",
        timeout=60_000,
    )
    running = page.locator("#progress .job[data-state=running]")
    assert "排队" in page.locator("#progress .job[data-state=queued] .job-state").text_content()
    running.locator("[data-testid=cancel]").click()
    page.wait_for_selector("#progress .job[data-state=cancelled]")
    wait_done(page)
    assert not (server.out / "long" / "xiaoxiao").exists()
    assert not list(server.out.rglob(".speechcast-*"))
    page.wait_for_function("document.querySelectorAll('[data-testid=library] li').length === 1")
    assert page.locator("[data-testid=library] li").get_attribute("data-render") == "long/yunyang"


def test_bad_files_get_a_plain_message_and_the_page_goes_on(serve, open_page, tmp_path: Path) -> None:
    server = serve()
    page = open_page(server)
    message = page.locator("#upload-message")
    for name, data, chinese, english in [("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "不是文本", "not text"),
                                         ("nothing.txt", b"", "是空的", "empty"),
                                         ("huge.txt", b"a" * (25 * 1024 * 1024), "最多 20 MB", "20 MB")]:  # fmt: skip
        # Chosen from a file on disk, as a user does: the browser reads it itself (bytes handed over
        # by Playwright cross its pipe in base64, which took most of this test for the 25 MB one).
        (tmp_path / name).write_bytes(data)
        upload(page, tmp_path / name)
        page.wait_for_function(f"""(() => {{ const m = document.getElementById('upload-message');
            return m.classList.contains('bad') && m.textContent.includes({json.dumps(name)}); }})()""")
        # Chinese first, the English beside it in small.
        assert chinese in message.text_content() and message.text_content().index(chinese) < message.text_content().index(english)
        if name != "huge.txt":  # (the page refuses that one itself, before sending it)
            assert english in message.locator("small.english").text_content()
    upload(page, SEED)
    page.wait_for_function("document.getElementById('o-title').textContent === '在机关主题党日活动后的讲话'")
    assert server.alive()


def test_markup_in_a_manuscript_is_shown_as_text(serve, open_page, tmp_path: Path) -> None:
    server = serve()
    page = open_page(server)
    title = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>关于安全生产的讲话"
    path = tmp_path / "unsafe.txt"
    path.write_text(f"{title}\n\n同志们：\n\n一、<b>加强</b>领导\n\n我们要加强领导。\n\n谢谢大家！\n", encoding="utf-8")
    upload(page, path)
    page.wait_for_selector("#o-sections li")
    shown = page.locator("#o-title").text_content()
    assert "关于安全生产的讲话" in shown
    assert page.evaluate("window.pwned") is None
    assert page.locator("#outline script, #outline img").count() == 0


def test_fits_a_phone_and_screenshots(serve, open_page) -> None:
    server = serve()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(server, viewport)
        upload(page, SEED)
        page.wait_for_selector("#o-sections li")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width)
        for testid in ("upload", "outline", "removed", "voice", "preview", "render", "progress", "library"):
            assert page.locator(f"[data-testid={testid}]").count() >= 1, testid
        page.screenshot(path=str(SHOTS / f"serve-{name}.png"), full_page=name == "desktop")


EDGE_DOWN = "无法连接（将改用离线声音）"


def test_voices_go_by_their_chinese_names_and_say_edge_is_unreachable_before_any_render(serve, open_page) -> None:
    """The default Edge address refuses: once the page has asked, every Edge voice says so and the
    notice above them says what a render does then and how to reach Edge through a proxy."""
    server = serve()
    page = open_page(server)
    upload(page, SEED)
    page.wait_for_selector("#o-sections li")
    page.wait_for_selector("#voices[data-edge=unreachable]", state="attached", timeout=15_000)
    names = page.eval_on_selector_all(
        "#voices .voice", "vs => vs.map(v => [v.querySelector('.voice-name').textContent, v.querySelector('.voice-id').textContent])"
    )
    assert names[0] == ["晓晓", "xiaoxiao"] and ["云希", "yunxi"] in names and ["曉臻", "hsiaochen"] in names, names
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name, _ in names), names
    notice = page.locator("[data-testid=edge-notice]")
    assert notice.is_visible() and "连接不上 Edge" in notice.text_content() and "离线声音" in notice.text_content()
    assert "speechcast serve --proxy" in notice.locator("code").first.text_content()
    assert "cannot be reached" in notice.locator("small.english").text_content()
    page.click("#more-voices summary")
    edge = page.locator(".voice[data-engine=edge]")
    assert edge.count() >= 10
    for k in range(edge.count()):
        mark = edge.nth(k).locator(".reach")
        assert mark.is_visible() and mark.text_content() == EDGE_DOWN, edge.nth(k).text_content()
    assert page.locator(".voice[data-engine=espeak] .reach").count() == 0
    assert page.locator("#edge-voices .voice", has=page.locator("code", has_text="zh-CN-YunxiaNeural")).locator(".voice-name").text_content() == "云夏"
    assert page.locator("#progress .job").count() == 0  # said before anything was rendered


def test_with_edge_answering_no_voice_is_marked(serve, open_page, edge_service) -> None:
    server = serve()
    page = open_page(server)
    upload(page, SEED)
    page.wait_for_selector("#o-sections li")
    page.wait_for_selector("#voices[data-edge=reachable]", state="attached", timeout=15_000)
    assert not page.locator("[data-testid=edge-notice]").is_visible()
    page.click("#more-voices summary")
    assert page.locator(".voice .reach").count() >= 10
    assert page.locator(".voice .reach:visible").count() == 0
    assert EDGE_DOWN not in page.locator("#step-voice").inner_text()


# What a Chinese reader may meet without a Chinese character: ids, commands and keys (<code>, <kbd>), the
# English said beside the Chinese (<small class="english">), lines quoted from the manuscript (<q>),
# and text without a letter (numbers, times, punctuation) or a file's name.
_READ_TEXTS = """() => {
  const skipped = "code, kbd, small.english, q, script, style, template, textarea";
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(skipped)) continue;
    if (parent.tagName === "OPTION") {
      const select = parent.closest("select");
      if (select && select.checkVisibility()) seen.push(text);
    } else if (parent.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
      seen.push(text);
    }
  }
  return seen;
}"""
_FILE_NAME = re.compile(r"^[\w\-. ]+\.(txt|md|docx?|pdf|html?|ofd|mp3|m4b|zip|srt|lrc|json)$", re.IGNORECASE)


def english_only(page: Page | Frame) -> list[str]:
    return [t for t in page.evaluate(_READ_TEXTS) if re.search(r"[A-Za-z]", t) and not re.search(r"[\u3400-\u9fff]", t) and not _FILE_NAME.match(t)]


def test_a_chinese_reader_meets_no_english_only_text_from_upload_to_library(serve, open_page) -> None:
    """zh-CN Chromium, Edge unreachable: at each step of a render every visible text holds Chinese."""
    server = serve()
    page = open_page(server, locale="zh-CN")
    page.wait_for_selector("#voices[data-edge=unreachable]", state="attached", timeout=15_000)
    assert english_only(page) == [], "opened"
    upload(page, name="picture.png", data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page.wait_for_selector("#upload-message.bad")
    assert english_only(page) == [], "a file refused"
    upload(page, SEED)
    page.wait_for_selector("#o-sections li")
    page.click("#more-voices summary")
    page.click("#script-box summary")
    assert page.locator("[data-testid=removed] li").first.is_visible()
    assert english_only(page) == [], "outline shown"
    choose(page, "offline-female")
    page.click("[data-testid=preview]")
    page.wait_for_function("document.getElementById('preview-audio').src !== ''", timeout=60_000)
    assert english_only(page) == [], "preview"
    page.click("[data-testid=render]")
    page.wait_for_selector("#progress .job")
    assert english_only(page) == [], "rendering"
    wait_done(page)
    page.wait_for_selector("[data-testid=library] li")
    page.wait_for_function("document.getElementById('result-title').textContent !== ''")
    assert english_only(page) == [], "rendered: result and library"
    player = page.locator("[data-testid=player]").element_handle().content_frame()
    assert player is not None
    player.wait_for_selector("audio", state="attached")
    assert english_only(player) == [], "rendered: the player"
    row = page.locator("[data-testid=library] li").first
    assert "离线女声" in row.text_content() and "下载 MP3" in row.text_content()
    assert page.locator("#progress .job-voice").first.text_content() == "离线女声（espeak-ng 普通话） · 离线"
    assert page.locator("#feed code").text_content() == f"{server.url}feed.xml"


def test_a_name_is_checked_and_its_reading_set_on_the_page(serve, open_page, tmp_path: Path) -> None:
    server = serve()
    page = open_page(server)
    path = tmp_path / "文化讲话.txt"
    path.write_text("在全县文化工作会议上的讲话\n\n同志们：\n\n隋唐英雄单雄信的故事，大家都熟悉。\n\n谢谢大家！\n", encoding="utf-8")
    upload(page, path)
    page.wait_for_selector("#o-sections li")
    page.locator("#readings-box summary").click()
    row = page.locator("#readings li.doubt", has_text="单雄信")
    row.wait_for()
    assert row.locator("input").input_value() == "dan1 xiong2 xin4"
    row.locator("input").fill("shan4 xiong2 xin4")
    row.locator("button").click()
    page.wait_for_function("document.querySelector('#reading-message').textContent.includes('已设定')")
    assert "<!-- 读音： 单雄信 = shan4 xiong2 xin4 -->" in page.locator("#script").input_value()
    page.locator("#readings li.set", has_text="单雄信").wait_for()
    # a reading that cannot be one is said in Chinese, the English beside it
    page.fill("#reading-word", "重庆")
    page.fill("#reading-value", "chong qing")
    page.locator("#reading-form button").click()
    page.wait_for_function("document.querySelector('#reading-message').classList.contains('bad')")
    assert "重庆" in page.locator("#reading-message").text_content() and page.locator("#reading-message small.english").count() == 1
