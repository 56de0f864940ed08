"""The library API that pipeline/__init__.py names: cheap to import, and the names are the real ones."""

from __future__ import annotations

import os
import subprocess
import sys

from frontend_util import corpus_file

import pipeline


def test_import_pipeline_loads_no_stage() -> None:
    code = (
        "import sys, pipeline; "
        "loaded = sorted(m for m in sys.modules if m.startswith('pipeline.') or m.split('.')[0] in "
        "('numpy', 'jieba', 'edge_tts', 'pydub', 'mutagen', 'cn2an')); print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_render_call_lives_in_its_module_and_the_package_example_runs(tmp_path) -> None:
    import pipeline.render

    assert callable(pipeline.render.render) and "render" not in pipeline.__all__
    doc = pipeline.__doc__ or ""
    example = "\n".join(line.strip() for line in doc.split("::", 1)[1].split("\n\n")[1].splitlines())
    speech = tmp_path / "speech.txt"
    speech.write_text("在全县工作会议上的讲话\n\n同志们：\n\n今天我们开会。\n\n谢谢大家！\n", encoding="utf-8")
    found: dict[str, object] = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(example.replace('choose_voice("xiaoxiao")', 'choose_voice("offline-female", "espeak")'), found)
    finally:
        os.chdir(cwd)
    assert found["script"].title == "在全县工作会议上的讲话" and (tmp_path / found["result"].out_dir).is_dir()  # type: ignore[attr-defined]


def test_every_public_name_resolves() -> None:
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name
    assert pipeline.Script.__module__ == "pipeline.model"


def test_load_script_reads_the_seed() -> None:
    script = pipeline.load_script(corpus_file(".txt"))
    assert isinstance(script, pipeline.Script)
    assert script.title == "在机关主题党日活动后的讲话"
    assert [s.title for s in script.sections][1:5] == ["一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养", "四、狠抓作风建设"]
