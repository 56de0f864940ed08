"""The benchmark harness still runs end to end (at its --quick size; real figures: docs/benchmarks.md)."""

from __future__ import annotations

import json

import pytest
from conftest import BENCH_QUICK

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = [pytest.mark.slow, pytest.mark.bench]

CASES = {"offline", "scale", "edge", "stitch", "startup", "batch", "encode"}


@pytest.fixture(scope="module")
def quick(request: pytest.FixtureRequest) -> tuple[dict, str]:
    """`bench/run.py --quick`, started by conftest when the session was collected, waited for here."""
    process, out = request.config.stash[BENCH_QUICK]
    assert process.wait(timeout=240) == 0, (out / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-3000:]
    return json.loads((out / "bench.json").read_text(encoding="utf-8")), (out / "bench.md").read_text(encoding="utf-8")


def test_every_case_reports_rows_with_targets(quick: tuple[dict, str]) -> None:
    data, report = quick
    assert data["quick"] is True and set(data["cases"]) == CASES
    for name, case in data["cases"].items():
        assert case["rows"], name
        for row in case["rows"]:
            assert row["result"] and (row["met"] is None) == (row["target"] == ""), row
            assert f"| {row['what']} | {row['result']} |" in report
    assert data["machine"]["cpus"].isdigit() and "ffmpeg version" in data["machine"]["ffmpeg"]


def test_ratios_are_read_off_the_same_runs(quick: tuple[dict, str]) -> None:
    cases = quick[0]["cases"]
    (offline,) = cases["offline"]["data"].values()
    assert offline["speechcast"]["wall"] > 0 and offline["baseline"]["wall"] > 0
    assert offline["ratio"] == pytest.approx(offline["speechcast"]["wall"] / offline["baseline"]["wall"])
    assert offline["baseline_phases"]["audio_s"] > 10  # the baseline really spoke the text
    scale = cases["scale"]["data"]
    small, large = sorted((size for size in scale if size.isdigit()), key=int)
    assert scale["growth"] == pytest.approx(scale[large]["us_per_char"] / scale[small]["us_per_char"])
    assert scale[small]["wall"] == offline["speechcast"]["wall"]  # case 2 reuses case 1's renders of one file
    stitch = cases["stitch"]["data"]["median"]
    assert stitch["chunks"] == 30 and stitch["encoded_audio_s"] == pytest.approx(stitch["audio_s"], abs=0.01)
    assert stitch["encode_m4b_s"] > 0 and stitch["render_both_s"] > 0
    encode = cases["encode"]["data"]
    assert encode["audio_s"] >= 60 and {len(encode["runs"][k]) for k in ("mp3", "m4b")} == {1}
    assert all(r["bytes"] > 0 for k in ("mp3", "m4b") for r in encode["runs"][k])


def test_cached_edge_rerender_calls_no_engine(quick: tuple[dict, str]) -> None:
    edge = quick[0]["cases"]["edge"]["data"]
    assert edge["calls"]["first"][0] > 0 and edge["calls"]["cached"] == [0]


def test_help_and_outline_stay_light(quick: tuple[dict, str]) -> None:
    startup = quick[0]["cases"]["startup"]["data"]
    for command in ("speechcast --help", "speechcast outline SEED"):
        assert startup[command]["total_ms"] > 0
        assert not {"jieba", "pydub", "edge_tts", "aiohttp", "numpy", "scipy"} & set(startup[command]["heavy"]), command
