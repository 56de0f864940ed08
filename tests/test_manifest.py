"""manifest.json read and written through one typed Manifest: the round trip keeps every field,
layouts older than the schema field still read, newer ones and untrustworthy ones are refused."""

from __future__ import annotations

import json

import pytest
from player_util import build_manifest, seed_parts

from pipeline.publish.manifest import SCHEMA, Manifest, Unreadable, read_manifest


@pytest.fixture(scope="module")
def written() -> dict:
    title, salutation, parts = seed_parts()
    return build_manifest(title, salutation, parts)


def test_a_manifest_survives_the_round_trip_field_for_field(written) -> None:
    manifest = Manifest.from_json(json.dumps(written))
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest
    data = json.loads(manifest.to_json())
    assert data["schema"] == SCHEMA and list(data)[:2] == ["schema", "speechcast"]
    # What the page and the player read stays where they look for it.
    assert data["files"]["m4b"] is None and data["files"]["full"] == written["files"]["full"]
    assert [c["text"] for c in data["chunks"]] == [c["text"] for c in written["chunks"]]
    assert [(s["title"], s["start_ms"]) for s in data["sections"]] == [(s["title"], s["start_ms"]) for s in written["sections"]]


def test_a_manifest_from_before_the_schema_field_reads_as_layout_one(written) -> None:
    old = {k: v for k, v in written.items() if k not in ("schema", "sizes")}
    manifest = Manifest.from_json(json.dumps(old))
    assert manifest.title == written["title"] and manifest.sizes == {} and manifest.schema == SCHEMA


def test_a_manifest_from_a_newer_version_is_refused_with_what_to_do(written) -> None:
    with pytest.raises(Unreadable, match=r"newer than this version reads.*upgrade speechcast"):
        Manifest.from_json(json.dumps(dict(written, schema=SCHEMA + 1)))


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["files"].update(full="../../etc/shadow"),
        lambda d: d["tracks"][0].update(file=".hidden.mp3"),
        lambda d: d.update(duration_ms="long"),
        lambda d: d["chunks"][0].update(section=-1),
        lambda d: d.update(sizes={"a.mp3": -5}),
        lambda d: d["settings"].update(formats="mp3"),
        lambda d: d.update(chunks={}),
    ],
    ids=["path-out-of-folder", "hidden-file", "duration-text", "negative-section", "negative-size", "formats-text", "chunks-table"],
)
def test_a_manifest_edited_into_something_untrustworthy_is_unreadable(written, spoil) -> None:
    data = json.loads(json.dumps(written))
    spoil(data)
    with pytest.raises(Unreadable, match="not a manifest speechcast wrote"):
        Manifest.from_json(json.dumps(data))


def test_reading_a_folder_names_the_file_and_says_what_to_do(tmp_path, written) -> None:
    assert read_manifest(tmp_path) is None
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(Unreadable, match=r"manifest\.json: it is not JSON: render the manuscript again"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps(written), encoding="utf-8")
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest.files_written()[0] == written["files"]["full"]
