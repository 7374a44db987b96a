"""The web build is redone only when a source of the app changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.web import node


def test_the_source_hash_follows_the_sources_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.ts").write_text("export {}")
    (tmp_path / "package.json").write_text("{}")
    monkeypatch.setattr(node, "WEB", tmp_path)
    first = node.source_hash()
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("built")  # the build's output is not a source
    assert node.source_hash() == first
    (tmp_path / "src" / "main.ts").write_text("export const changed = 1")
    second = node.source_hash()
    assert second != first
    (tmp_path / "src" / "main.ts").rename(tmp_path / "src" / "app.ts")  # a rename is a change too
    assert node.source_hash() != second
