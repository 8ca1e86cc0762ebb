"""Packaging: every Python package folder is installed (the editable install used by CI would hide a gap)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .conftest import PROJECT

LAYERS = {"schemas": "oral_archive.schemas", "archive": "oral_archive.archive", "pipeline": "oral_archive.pipeline"}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for folder, namespace in LAYERS.items():
        for init in (PROJECT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(PROJECT / folder).parts
            found.add(".".join((namespace, *relative)))
    assert found == listed


def _covered(relative: Path, pattern: str) -> bool:
    """Our package-data patterns are 'folder/*' (one level) or 'folder/**/*' (any depth)."""
    folder, _, rest = pattern.partition("/")
    return relative.parts[0] == folder and (rest == "**/*" or (rest == "*" and len(relative.parts) == 2))


def test_every_data_file_is_package_data() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]
    for folder, namespace in LAYERS.items():
        for path in (PROJECT / folder).rglob("*"):
            if not path.is_file() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            # a file belongs to the innermost package folder above it ("pipeline/web/static/x.css"
            # is oral_archive.pipeline.web's "static/x.css")
            package = next(p for p in path.parents if p == PROJECT / folder or (p / "__init__.py").is_file())
            owner = ".".join((namespace, *package.relative_to(PROJECT / folder).parts))
            relative = path.relative_to(package)
            assert any(_covered(relative, pattern) for pattern in patterns.get(owner, [])), f"{folder}/{path.relative_to(PROJECT / folder)} is not package data of {owner}"
