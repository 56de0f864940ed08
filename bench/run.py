"""speechcast benchmarks: every case beside its baseline, in one run.

    python bench/run.py                      # everything, medians of 5 (3 for the 200k render)
    python bench/run.py --quick              # tiny sizes, one run each: keeps the harness working (CI)
    python bench/run.py --only offline,edge  # some cases: offline, scale, edge, stitch, startup, batch, encode

Prints a Markdown report (machine, then one table per case with the targets) and writes it, with
the raw numbers as JSON, where --report and --json say. Commands run as a user runs them: a
fresh process, a fresh chunk cache (unless the cached path is what is measured), 127.0.0.1 only.
Comparisons alternate their two sides run by run, so a noisy neighbour hurts both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "tests")]

from manuscripts import write_manuscript  # noqa: E402
from timing import Sample, Summary, run  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "000_f942a4ce7236a7e5.txt"
"""The seed manuscript, kept in the repository with its reference reading (tests/corpus/SOURCES.md)."""
EDGE_VOICE = "zh-CN-XiaoxiaoNeural"
HEAVY = ("jieba", "pydub", "edge_tts", "aiohttp", "numpy", "scipy", "pyloudnorm", "soundfile", "mutagen", "cn2an", "docx")
"""Modules a command should import only when it needs them."""
UNUSED_PORT_URL = "ws://127.0.0.1:9/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=x"
"""Where offline runs point the Edge engine: nothing listens, nothing leaves the machine."""


@dataclass(frozen=True)
class Sizes:
    runs: int
    long_runs: int
    """Runs of the very long cases (the 200k render)."""
    offline: tuple[str, ...]
    """Manuscripts for case 1: "seed" or a character count."""
    scale: tuple[int, ...]
    edge_chars: int
    edge_delay: float
    edge_speed: float | None
    stitch_chunks: int
    stitch_hours: float


FULL = Sizes(5, 3, ("seed", "50000"), (10_000, 50_000, 200_000), 0, 0.3, 8.0, 2000, 2.0)
QUICK = Sizes(1, 1, ("300",), (300, 600), 200, 0.0, None, 30, 0.03)
"""Each case once, at sizes that keep the harness working in seconds (the figures are the full run's)."""


@dataclass
class Row:
    what: str
    result: str
    target: str = ""
    met: bool | None = None
    """None: no target for this row."""


@dataclass
class Case:
    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def row(self, what: str, result: str, target: str = "", met: bool | None = None) -> None:
        self.rows.append(Row(what, result, target, met))


class Bench:
    def __init__(self, work: Path, sizes: Sizes, seed: Path) -> None:
        self.work = work
        self.sizes = sizes
        self.seed = seed
        self.speechcast = _console_script("speechcast")
        self.env = dict(os.environ)
        self.env.update(SPEECHCAST_CONFIG_DIR=str(work / "config"), SPEECHCAST_EDGE_URL=UNUSED_PORT_URL,
                        NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
        self.env.pop("SPEECHCAST_CACHE_DIR", None)
        self._fresh = 0
        self.renders: dict[tuple[str, str], list[Sample]] = {}
        """Offline render samples by (manuscript, engine), shared by cases 1 and 2."""

    def fresh(self, name: str) -> Path:
        """A new empty folder under the work folder."""
        self._fresh += 1
        path = self.work / f"{name}-{self._fresh}"
        path.mkdir(parents=True)
        return path

    def manuscript(self, spec: str | int) -> Path:
        if spec == "seed":
            return self.seed
        path = self.work / f"speech-{spec}.txt"
        return path if path.exists() else write_manuscript(self.work, int(spec))

    def render_command(self, manuscript: Path, *extra: str, cache: Path | None = None, out: Path | None = None) -> list[str | Path]:
        return [self.speechcast, "render", manuscript, "-o", out or self.fresh("out"), "--cache-dir", cache or self.fresh("cache"), "-q", *extra]

    def offline_render(self, manuscript: Path) -> Sample:
        sample = run(self.render_command(manuscript, "--engine", "espeak"), env=self.env)
        self.renders.setdefault((str(manuscript), "espeak"), []).append(sample)
        return sample


# ---------------------------------------------------------------- 1. offline render vs least work


def spoken_text(manuscript: Path) -> str:
    """What speechcast speaks, one line per title, salutation, heading and paragraph."""
    from pipeline.text.manuscript import load_script
    from pipeline.text.split import spoken_heading

    script = load_script(manuscript)
    lines = [script.title, script.salutation]
    for section in script.sections:
        lines += [spoken_heading(section), *section.paragraphs]
    return "\n".join(line for line in lines if line) + "\n"


def case_offline(bench: Bench) -> Case:
    from pipeline.settings import RenderSettings
    from pipeline.sound.mp3encode import LAME_QUALITY
    from pipeline.speech.presets import load_presets

    case = Case("offline", "1. Offline render vs the least possible work")
    voice = load_presets()["offline-female"].settings
    bitrate = RenderSettings().bitrate
    for spec in bench.sizes.offline:
        manuscript = bench.manuscript(spec)
        text = bench.work / f"{manuscript.stem}.spoken.txt"
        text.write_text(spoken_text(manuscript), encoding="utf-8")
        base = [sys.executable, BENCH / "baseline_offline.py", text, None, "--voice", voice.voice, "--rate", voice.rate,
                "--pitch", voice.pitch, "--volume", voice.volume]  # fmt: skip
        ours_encoder = ["--bitrate", bitrate, "--compression-level", str(LAME_QUALITY)]
        samples: dict[str, list[Sample]] = {"baseline": [], "baseline (ffmpeg defaults)": [], "speechcast": []}
        phases: list[dict] = []
        for _ in range(bench.sizes.runs):
            out = bench.fresh("baseline") / "base.mp3"
            samples["baseline"].append(run([*_with(base, out), *ours_encoder], env=bench.env))
            phases.append(json.loads(out.with_suffix(".json").read_text()))
            samples["speechcast"].append(bench.offline_render(manuscript))
            samples["baseline (ffmpeg defaults)"].append(run(_with(base, bench.fresh("baseline") / "base.mp3"), env=bench.env))
        summaries = {k: Summary.of(v) for k, v in samples.items()}
        label = "seed" if spec == "seed" else f"{len(manuscript.read_text(encoding='utf-8')):,} chars"
        chars = len(text.read_text(encoding="utf-8"))
        base_phase = {k: _median([p[k] for p in phases]) for k in phases[0]}
        case.row(f"{label}: baseline — espeak-ng one call + one ffmpeg encode ({bitrate}, -compression_level {LAME_QUALITY})",
                 f"{summaries['baseline'].cell()}; espeak {base_phase['synth_s']:.2f} s + encode {base_phase['encode_s']:.2f} s; "
                 f"{base_phase['audio_s'] / 60:.1f} min of audio")  # fmt: skip
        case.row(f"{label}: baseline — same, ffmpeg's default MP3 settings", summaries["baseline (ffmpeg defaults)"].cell())
        ratio = summaries["speechcast"].wall / summaries["baseline"].wall
        case.row(f"{label}: speechcast render --engine espeak (every output)",
                 f"{summaries['speechcast'].cell()}; peak RSS {summaries['speechcast'].max_rss_mb:.0f} MB")  # fmt: skip
        case.row(f"{label}: speechcast ÷ baseline", f"{ratio:.2f}×", "≤ 2.0×", ratio <= 2.0)
        ratio_default = summaries["speechcast"].wall / summaries["baseline (ffmpeg defaults)"].wall
        case.row(f"{label}: speechcast ÷ baseline with ffmpeg defaults", f"{ratio_default:.2f}×")
        cpu = summaries["speechcast"].cpu / summaries["baseline"].cpu
        case.row(f"{label}: CPU time speechcast ÷ baseline (user+sys, encoder processes included)",
                 f"{summaries['speechcast'].cpu:.2f} s ÷ {summaries['baseline'].cpu:.2f} s = {cpu:.2f}×")  # fmt: skip
        case.data[label] = {"chars_spoken": chars, **{k: asdict(s) for k, s in summaries.items()}, "baseline_phases": base_phase,
                            "ratio": ratio, "ratio_ffmpeg_defaults": ratio_default}  # fmt: skip
    return case


def _with(command: list, out: Path) -> list:
    return [out if part is None else part for part in command]


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# ---------------------------------------------------------------- 2. scale


def case_scale(bench: Bench) -> Case:
    case = Case("scale", "2. Scale: offline renders of growing manuscripts")
    per_char: dict[int, float] = {}
    rss: dict[int, float] = {}
    largest = max(bench.sizes.scale)
    for size in bench.sizes.scale:
        manuscript = bench.manuscript(size)
        chars = len(manuscript.read_text(encoding="utf-8"))
        runs = bench.sizes.long_runs if size == largest and size >= 200_000 else bench.sizes.runs
        done = bench.renders.get((str(manuscript), "espeak"), [])
        for _ in range(max(runs - len(done), 0)):
            bench.offline_render(manuscript)
        summary = Summary.of(bench.renders[(str(manuscript), "espeak")])
        per_char[size] = summary.wall / chars * 1e6
        rss[size] = summary.max_rss_mb
        case.row(f"{chars:,} chars", f"{summary.cell()}; {per_char[size]:.0f} µs/char; peak RSS {summary.max_rss_mb:.0f} MB")
        case.data[str(size)] = {"chars": chars, **asdict(summary), "us_per_char": per_char[size]}
    smallest = min(bench.sizes.scale)
    growth = per_char[largest] / per_char[smallest]
    case.row(f"time per char, {largest // 1000}k ÷ {smallest // 1000}k", f"{growth:.2f}×", "≤ 1.3×", growth <= 1.3)
    case.row(f"peak RSS at {largest // 1000}k", f"{rss[largest]:.0f} MB", "< 400 MB", rss[largest] < 400)
    case.data["growth"] = growth
    if bench.sizes.long_runs < bench.sizes.runs and largest >= 200_000:
        case.notes.append(f"The {largest // 1000}k render is timed {bench.sizes.long_runs} times (several minutes each); the others {bench.sizes.runs}.")
    return case


# ---------------------------------------------------------------- 3. the Edge path


def case_edge(bench: Bench) -> Case:
    from edge_service import EdgeService

    case = Case("edge", "3. The Edge path, against the stand-in service")
    sizes = bench.sizes
    source = write_manuscript(bench.work, sizes.edge_chars, seed=3) if sizes.edge_chars else bench.manuscript("seed")
    text = bench.work / "edge-speech.txt"
    text.write_text(spoken_text(source), encoding="utf-8")
    chars = len(text.read_text(encoding="utf-8"))
    samples: dict[str, list[Sample]] = {"edge-tts": [], "first": [], "cached": [], "jobs8": [], "dry-run": []}
    calls: dict[str, list[int]] = {"first": [], "cached": [], "jobs8": [], "dry-run": []}
    with EdgeService(first_audio_delay=sizes.edge_delay, speed=sizes.edge_speed) as service:
        env = dict(bench.env, SPEECHCAST_EDGE_URL=service.url)
        for _ in range(sizes.runs):
            out = bench.fresh("edge-tts")
            samples["edge-tts"].append(run([sys.executable, BENCH / "edge_tts_cli.py", "-f", text, "--voice", EDGE_VOICE,
                                            "--write-media", out / "edge.mp3"], env=env))  # fmt: skip
            command = bench.render_command(text, cache=bench.fresh("cache"), out=bench.fresh("out"))
            commands = {"first": command, "cached": command, "jobs8": [*bench.render_command(text), "-j", "8"],
                        "dry-run": [bench.speechcast, "render", text, "--dry-run"]}  # fmt: skip
            for kind, args in commands.items():
                before = len(service.requests)
                samples[kind].append(run(args, env=env))
                calls[kind].append(len(service.requests) - before)
    s = {k: Summary.of(v) for k, v in samples.items()}
    speed = f"{sizes.edge_speed:g}× real time" if sizes.edge_speed else "as fast as it can"
    latency = f"{sizes.edge_delay:g} s to first audio, {speed} per connection"
    case.row(f"edge-tts CLI, {chars:,} chars ({latency})", s["edge-tts"].cell())
    case.row("speechcast render (defaults: xiaoxiao, 4 connections)", f"{s['first'].cell()}; {_median(calls['first']):.0f} engine requests")
    ratio = s["first"].wall / s["edge-tts"].wall
    case.row("speechcast ÷ edge-tts", f"{ratio:.2f}×", "≤ 0.35×", ratio <= 0.35)
    cached = s["cached"].wall / s["first"].wall
    case.row("cached re-render", f"{s['cached'].cell()}; {cached:.1%} of the first", "≤ 5 %", cached <= 0.05)
    case.row("engine requests on the cached re-render", f"{max(calls['cached'])}", "0", max(calls["cached"]) == 0)
    jobs8 = s["jobs8"].wall / s["edge-tts"].wall
    case.row("for comparison: speechcast render -j 8 (8 connections)", f"{s['jobs8'].cell()}; {jobs8:.2f}× edge-tts")
    floor = s["dry-run"].wall / s["first"].wall
    case.row("for comparison: speechcast render --dry-run (start-up, probe, chunking: a re-render that writes nothing)",
             f"{s['dry-run'].cell()}; {floor:.1%} of the first")  # fmt: skip
    case.data = {"chars": chars, **{k: asdict(v) for k, v in s.items()}, "calls": calls, "ratio": ratio, "cached_share": cached}
    return case


# ---------------------------------------------------------------- 4. stitching


def case_stitch(bench: Bench) -> Case:
    case = Case("stitch", "4. Stitching: the output stage on Edge-like audio")
    reports = []
    for _ in range(bench.sizes.runs):
        report = bench.fresh("stitch") / "stitch.json"
        run([sys.executable, BENCH / "stitch.py", "--chunks", str(bench.sizes.stitch_chunks), "--hours", str(bench.sizes.stitch_hours),
             "--work", report.parent, "--json", report], env=bench.env)  # fmt: skip
        reports.append(json.loads(report.read_text()))
    m = {k: _median([r[k] for r in reports]) for k in reports[0]}
    extra = _median([r["render_s"] - r["encode_s"] for r in reports])
    hours = m["audio_s"] / 3600
    case.row(f"{m['chunks']:.0f} chunks, {hours:.2f} h of audio, {m['tracks']:.0f} tracks: decode the cached MP3s",
             f"{m['decode_s']:.2f} s")  # fmt: skip
    case.row("one MP3 encode of the programme (the unavoidable part)", f"{m['encode_s']:.2f} s; encoder CPU {m['encode_encoder_cpu_s']:.1f} s")
    case.row("write_render: tracks, full MP3 with chapters, subtitles, manifest, player",
             f"{m['render_s']:.2f} s; Python CPU {m['render_cpu_s']:.1f} s, encoder CPU {m['render_encoder_cpu_s']:.1f} s")  # fmt: skip
    case.row("stitching beyond the encode (median of the per-run differences)", f"{extra:.2f} s (n={len(reports)})", "< 2 s", extra < 2.0)
    ratio = _median([r["encode_m4b_s"] / r["encode_s"] for r in reports])
    case.row("one M4B (AAC) encode of the same programme", f"{m['encode_m4b_s']:.2f} s; CPU {m['encode_m4b_cpu_s']:.1f} s")
    case.row("M4B encode ÷ MP3 encode (median of the per-run ratios)", f"{ratio:.2f}×")
    both = _median([r["render_both_s"] - r["render_s"] for r in reports])
    case.row("write_render with --format both, beyond --format mp3 (median of the differences)",
             f"{both:.2f} s; the render {m['render_both_s']:.2f} s")  # fmt: skip
    case.data = {"median": m, "extra_s": extra, "m4b_ratio": ratio, "both_extra_s": both, "runs": reports}
    return case


# ---------------------------------------------------------------- 7. M4B against MP3 on real speech


def case_encode(bench: Bench) -> Case:
    """bench/encode.py: the same espeak-spoken samples encoded as MP3 and as M4B, alternately."""
    case = Case("encode", "7. The M4B (AAC) encode against the MP3 encode of the same speech")
    minutes = 60 if bench.sizes.runs > 1 else 1
    report = bench.fresh("encode") / "encode.json"
    run([sys.executable, BENCH / "encode.py", "--minutes", str(minutes), "--runs", str(bench.sizes.runs), "--work", report.parent,
         "--json", report], env=bench.env)  # fmt: skip
    data = json.loads(report.read_text())
    hours = data["audio_s"] / 3600
    for kind, label in (("mp3", "MP3 (LAME, 64 kbit/s)"), ("m4b", "M4B (FFmpeg AAC, fast coder, 64 kbit/s)")):
        walls = [r["wall_s"] for r in data["runs"][kind]]
        cpu = _median([r["cpu_s"] for r in data["runs"][kind]])
        case.row(f"{label}: {hours:.2f} h of espeak speech", f"{_median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}, n={len(walls)}); CPU {cpu:.1f} s")
    case.row("M4B ÷ MP3 (median of the per-run ratios)", f"{data['ratio_median']:.2f}×")
    case.data = data
    return case


# ---------------------------------------------------------------- 6. many manuscripts in one call


BATCH_FILES = 10


def case_batch(bench: Bench) -> Case:
    """Ten manuscripts (three with --quick) in one `speechcast render` against one call each, each with a fresh cache and
    output folder, run by run alternately."""
    from manuscripts import manuscript

    case = Case("batch", "6. Ten manuscripts in one call against ten calls")
    folder = bench.fresh("batch-manuscripts")
    chars = 300 if bench.sizes.runs == 1 else 3000
    count = BATCH_FILES if bench.sizes.runs > 1 else 3  # --quick keeps the harness working, not the figure
    files = []
    for k in range(count):
        path = folder / f"speech-{k}.txt"
        path.write_text(manuscript(chars, seed=k + 1), encoding="utf-8")
        files.append(path)
    batch, singles = [], []
    for _ in range(bench.sizes.runs):
        cache, out = bench.fresh("cache"), bench.fresh("out")
        batch.append(run([bench.speechcast, "render", *files, "--engine", "espeak", "-o", out, "--cache-dir", cache, "-q"], env=bench.env))
        cache, out = bench.fresh("cache"), bench.fresh("out")
        walls = [run(bench.render_command(f, "--engine", "espeak", cache=cache, out=out), env=bench.env) for f in files]
        singles.append(Sample(sum(s.wall for s in walls), sum(s.cpu for s in walls), max(s.max_rss_mb for s in walls)))
    one, ten = Summary.of(batch), Summary.of(singles)
    case.row(f"{count} manuscripts of {chars} characters in one call (espeak)", one.cell())
    case.row(f"the same {count} in {count} calls", ten.cell())
    case.row(f"one call ÷ {count} calls", f"{one.wall / ten.wall:.2f}×", "< 1.0×", one.wall < ten.wall)
    case.data = {"batch": asdict(one), "singles": asdict(ten), "chars": chars}
    return case


# ---------------------------------------------------------------- 5. start-up


STARTUP_LIMIT_S = 0.3
"""`speechcast --help` and an unchanged re-render ("Up to date") must answer within this."""


def case_startup(bench: Bench) -> Case:
    case = Case("startup", "5. Start-up and import cost")
    seed = bench.manuscript("seed")
    # The up-to-date re-render needs a finished render to find unchanged: one offline render first.
    out, cache = bench.fresh("startup-out"), bench.fresh("startup-cache")
    up_to_date = bench.render_command(seed, "--engine", "espeak", out=out, cache=cache)
    run(up_to_date, env=bench.env)
    baseline = 'python -c "import typer" (the CLI library alone)'
    commands = {
        "python -c pass (the interpreter alone)": [sys.executable, "-c", "pass"],
        baseline: [sys.executable, "-c", "import typer"],
        "speechcast --help": [bench.speechcast, "--help"],
        "speechcast render SEED, unchanged (Up to date)": up_to_date,
        "speechcast outline SEED": [bench.speechcast, "outline", seed],
        "speechcast render SEED --engine espeak --dry-run": [bench.speechcast, "render", seed, "--engine", "espeak", "--dry-run"],
    }
    limited = {"speechcast --help", "speechcast render SEED, unchanged (Up to date)"}
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(bench.sizes.runs):
        for name, command in commands.items():
            samples[name].append(run(command, env=bench.env))
    typer_s = Summary.of(samples[baseline]).wall
    for name, command in commands.items():
        summary = Summary.of(samples[name])
        if command[0] == sys.executable:
            case.row(name, summary.cell())
            continue
        imports = import_cost([str(c) for c in command[1:]], bench.env)
        heavy = ", ".join(imports["heavy"]) or "none"
        top = ", ".join(f"{m} {ms:.0f}" for m, ms in imports["top"])
        result = f"{summary.cell()}, {summary.wall / typer_s:.1f}× import typer; imports {imports['total_ms']:.0f} ms ({top}); heavy: {heavy}"
        if name in limited:
            case.row(name, result, f"≤ {STARTUP_LIMIT_S} s", summary.wall <= STARTUP_LIMIT_S)
        else:
            case.row(name, result)
        case.data[name] = {**asdict(summary), **imports}
    return case


def import_cost(args: list[str], env: dict[str, str]) -> dict:
    """What `speechcast ARGS` imports, by `python -X importtime`: total ms, the costliest top-level
    packages and which of HEAVY are among them."""
    code = f"import sys; sys.argv = ['speechcast', *{args!r}]; from pipeline.cli import main; main()"
    stderr = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True).stderr
    rows = re.findall(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$", stderr, re.M)
    total = sum(int(own) for own, _, _, _ in rows) / 1000
    top_level = sorted(((name, int(cum) / 1000) for _, cum, indent, name in rows if not indent), key=lambda r: -r[1])
    loaded = {name.split(".")[0] for *_, name in rows}
    return {"total_ms": total, "top": top_level[:4], "heavy": [m for m in HEAVY if m in loaded]}


# ---------------------------------------------------------------- report

CASES: dict[str, Callable[[Bench], Case]] = {
    "offline": case_offline, "scale": case_scale, "edge": case_edge, "stitch": case_stitch, "startup": case_startup,
    "batch": case_batch, "encode": case_encode,
}  # fmt: skip


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    from imageio_ffmpeg import get_ffmpeg_exe as ffmpeg_exe

    ffmpeg = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(), "ffmpeg": ffmpeg,
            "system": f"{platform.system()} {platform.release()}", "load average at start": load}  # fmt: skip


def markdown(info: dict[str, str], cases: list[Case], command: str) -> str:
    lines = [f"Command: `{command}`", "", "| machine | |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in info.items()), ""]
    for case in cases:
        lines += [f"### {case.title}", "", "| measured | result | target | met |", "| --- | --- | --- | --- |"]
        for row in case.rows:
            met = "" if row.met is None else ("yes" if row.met else "**no**")
            lines.append(f"| {row.what} | {row.result} | {row.target} | {met} |")
        lines += ["", *case.notes, ""] if case.notes else [""]
    return "\n".join(lines)


def _console_script(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"`{name}` is not installed: run `pip install -e .` first")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each (CI)")
    parser.add_argument("--only", default=",".join(CASES), help=f"comma-separated cases: {', '.join(CASES)}")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5; 1 with --quick)")
    parser.add_argument("--offline", help='manuscripts for case 1, comma-separated: "seed" or character counts (default seed,50000)')
    parser.add_argument("--seed-manuscript", type=Path, default=SEED)
    parser.add_argument("--work", type=Path, help="keep generated manuscripts and outputs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(names) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}: use {', '.join(CASES)}")
    sizes = QUICK if args.quick else FULL
    if args.runs:
        sizes = Sizes(**{**asdict(sizes), "runs": args.runs, "long_runs": min(args.runs, sizes.long_runs)})
    if args.offline:
        sizes = Sizes(**{**asdict(sizes), "offline": tuple(s.strip() for s in args.offline.split(","))})

    work = args.work or Path(tempfile.mkdtemp(prefix="speechcast-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    bench = Bench(work, sizes, args.seed_manuscript)
    cases = []
    try:
        for name in names:
            print(f"[bench] {name} …", file=sys.stderr, flush=True)
            cases.append(CASES[name](bench))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    command = " ".join(["python bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    report = markdown(info, cases, command)
    print(report)
    if args.report:
        args.report.write_text(report + "\n", encoding="utf-8")
    if args.json:
        payload = {"machine": info, "quick": args.quick,
                   "cases": {c.name: {"rows": [asdict(r) for r in c.rows], "notes": c.notes, "data": c.data} for c in cases}}  # fmt: skip
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
