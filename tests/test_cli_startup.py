"""The CLI starts without loading what only some commands use (bench/cli_startup.py times it)."""

from __future__ import annotations

import subprocess
import sys

# What a command loads inside its function, never at start-up.
HEAVY = ["whoosh", "lxml", "wordfreq", "docx", "ftfy", "charset_normalizer", "yaml", "bagit", "pydantic"]


def loaded_after(code: str, heavy: list[str] = HEAVY) -> list[str]:
    """The ``heavy`` packages loaded after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_cli_loads_nothing_heavy_at_import() -> None:
    assert loaded_after("import oral_archive.pipeline.cli") == []


def test_help_and_version_need_nothing_heavy() -> None:
    run = (
        "import contextlib, io, sys\nfrom oral_archive.pipeline.cli import main\nsys.argv = ['oral-archive', '{}']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    try:\n        main()\n    except SystemExit:\n        pass\n"
    )
    assert loaded_after(run.format("--help")) == []
    assert loaded_after(run.format("--version")) == []


def test_an_archive_loads_whoosh_only_to_search() -> None:
    """``Archive`` holds a ``SearchIndex``; ``show`` or ``export`` must not load Whoosh for it."""
    code = (
        "from oral_archive.archive import Archive\n"
        "from oral_archive.archive.search import SearchIndex, SearchResults, IndexMissing\n"
        "from oral_archive.archive.index import SearchIndex, IndexStale\n"
    )
    assert loaded_after(code, ["whoosh", "wordfreq", "docx"]) == []
