"""The Chinese message catalogue, kept in step with the code.

Every message the code says is an English template passed to one of the names below (an error
class, `Message`, the web app's refusal); Babel finds them all. `python -m tests.catalogue` writes
the catalogue anew: templates still in the code keep their translation, new ones are listed for a
translator (and left out of the .mo until translated), gone ones are dropped. The tests check that
the committed .po holds exactly the code's templates, every one translated, and that the .mo says
what the .po says.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
FOLDER = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES"
PO, MO = FOLDER / "speechcast.po", FOLDER / "speechcast.mo"

KEYWORDS: dict[str, tuple[int, ...]] = dict.fromkeys(
    ("Message", "SpeechcastError", "InputError", "SpeechcastInputError", "SettingsError", "VoiceError", "EngineError", "OutputError", "Cancelled"), (1,)
) | {"_Problem": (2,)}


def templates() -> list[str]:
    """Every message template in the package, in the order first met, and the description of each
    reason a line is removed for (said beside the line in the outline and the page) and of each
    kind of warning."""
    from pipeline.model import Reason, Warn

    found: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(PACKAGE, keywords=KEYWORDS, comment_tags=()):  # type: ignore[arg-type]
        if isinstance(message, str) and message:
            found.setdefault(message)
    for reason in Reason:
        found.setdefault(reason.text)
    for warn in Warn:
        found.setdefault(warn.template)
    return list(found)


def translations() -> dict[str, str]:
    with PO.open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id and m.string}


def written() -> tuple[bytes, bytes, list[str]]:
    """The .po and .mo this code calls for, and the templates that still lack a translation."""
    known = translations() if PO.exists() else {}
    # Fixed dates, so that writing the catalogue again changes nothing unless a message changed.
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    catalogue = Catalog(locale="zh_CN", domain="speechcast", project="speechcast", version="", fuzzy=False,
                        creation_date=when, revision_date=when, last_translator="speechcast", language_team="speechcast")  # fmt: skip
    untranslated = []
    for template in templates():
        catalogue.add(template, known.get(template, ""))
        if template not in known:
            untranslated.append(template)
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalogue, width=0, omit_header=True, sort_output=True)
    write_mo(mo, catalogue)
    return po.getvalue(), mo.getvalue(), untranslated


if __name__ == "__main__":
    po, mo, untranslated = written()
    FOLDER.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po)
    MO.write_bytes(mo)
    for template in untranslated:
        print(f"untranslated: {template}", file=sys.stderr)
    sys.exit(1 if untranslated else 0)
