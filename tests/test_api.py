"""The library API that pipeline/__init__.py names: cheap to import, and the names are the real ones."""

from __future__ import annotations

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


def test_render_is_the_library_call_even_after_its_module_loads() -> None:
    from pipeline.render import render as function  # loads pipeline/render.py

    assert pipeline.render is function
    from pipeline import render

    assert render is function and callable(render)


def test_every_public_name_resolves() -> None:
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name
    assert pipeline.Script.__module__ == "pipeline.model"


def test_load_script_reads_the_seed() -> None:
    script = pipeline.load_script(corpus_file(".txt"))
    assert isinstance(script, pipeline.Script)
    assert script.title == "在机关主题党日活动后的讲话"
    assert [s.title for s in script.sections][1:5] == ["一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养", "四、狠抓作风建设"]
