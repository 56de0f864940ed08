"""README.zh-CN.md is README.md in Chinese: these tests fail when the two drift apart (a command, an
option or a command line in one and not the other), and when either misses an option the real
`speechcast` command offers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = "README.md"
CHINESE = "README.zh-CN.md"

LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SHORT_FLAG = re.compile(r"(?<![\w-])-[a-zA-Z](?![\w-])")
INLINE_CODE = re.compile(r"`([^`]+)`")
HEADING = re.compile(r"^(#{1,6}) ")
COMMAND_STARTS = ("speechcast ", "$ speechcast", "python", "pip")


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _split(text: str) -> tuple[list[str], list[str]]:
    """The lines inside ``` fences, and the lines outside them (the prose, headings and tables)."""
    code: list[str] = []
    prose: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        else:
            (code if fenced else prose).append(line)
    assert not fenced, "a ``` fence is never closed"
    return code, prose


def _command_headings(text: str) -> list[str]:
    return [line.strip() for line in _split(text)[1] if line.startswith("### `speechcast")]


def _options(text: str) -> set[str]:
    """Every long option anywhere, and every short flag inside code (fenced or `inline`)."""
    code, prose = _split(text)
    inline = INLINE_CODE.findall("\n".join(prose))
    return set(LONG_OPTION.findall(text)) | {flag for part in [*code, *inline] for flag in SHORT_FLAG.findall(part)}


def _command_lines(text: str) -> set[str]:
    """The command lines of the code blocks, without their comments (which are translated)."""
    return {line.split(" #")[0].rstrip() for line in _split(text)[0] if line.startswith(COMMAND_STARTS)}


def _cli_options() -> list[tuple[str, str]]:
    """(command, long option) for every option the real CLI offers, hidden ones left out."""
    group = typer.main.get_command(app)
    commands = [("speechcast", group)] + [(f"speechcast {name}", command) for name, command in group.commands.items()]
    found = []
    for name, command in commands:
        for param in command.params:
            # typer vendors its own click (typer._click), so an option is known by its kind, not its class.
            if param.param_type_name != "option" or getattr(param, "hidden", False):
                continue
            found += [(name, opt) for opt in [*param.opts, *param.secondary_opts] if opt.startswith("--")]
    return found


def _difference(name: str, english: set[str], chinese: set[str]) -> str:
    return f"{name} differ — only in {ENGLISH}: {sorted(english - chinese)}; only in {CHINESE}: {sorted(chinese - english)}"


def test_the_chinese_readme_links_to_the_english_one() -> None:
    assert _read(CHINESE).splitlines()[0] == "English: [README.md](README.md)"


def test_same_headings_in_the_same_order() -> None:
    english, chinese = (_command_headings(_read(name)) for name in (ENGLISH, CHINESE))
    assert english, f"no '### `speechcast …`' headings found in {ENGLISH}"
    assert english == chinese, f"command headings differ:\n{ENGLISH}: {english}\n{CHINESE}: {chinese}"
    levels = [[len(m.group(1)) for line in _split(_read(name))[1] if (m := HEADING.match(line))] for name in (ENGLISH, CHINESE)]
    assert levels[0] == levels[1], f"the heading outline (levels in order) differs:\n{ENGLISH}: {levels[0]}\n{CHINESE}: {levels[1]}"


def test_same_options_mentioned() -> None:
    english, chinese = (_options(_read(name)) for name in (ENGLISH, CHINESE))
    assert {"--voice", "-o"} <= english, f"the option scan found too little in {ENGLISH}: {sorted(english)}"
    assert english == chinese, _difference("the options mentioned", english, chinese)


def test_same_command_lines_in_the_code_blocks() -> None:
    english, chinese = (_command_lines(_read(name)) for name in (ENGLISH, CHINESE))
    assert any(line.startswith("speechcast render") for line in english), f"no command lines found in {ENGLISH}'s code blocks"
    assert english == chinese, _difference("the code blocks' command lines", english, chinese)


@pytest.mark.parametrize("readme", [ENGLISH, CHINESE])
def test_every_cli_option_is_documented(readme: str) -> None:
    offered = _cli_options()
    assert ("speechcast render", "--voice") in offered, f"the walk over the CLI found too little: {offered}"
    mentioned = set(LONG_OPTION.findall(_read(readme)))
    missing = [f"{command} {opt}" for command, opt in offered if opt not in mentioned]
    assert not missing, f"{readme} does not mention these options of the CLI: {', '.join(missing)}"
