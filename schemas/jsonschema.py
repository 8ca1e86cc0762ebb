"""The JSON Schema of a record, generated from the pydantic model and shipped as a file.

``schemas/json/record.schema.json`` lets consumers of the ``jsonl`` export (and of each
stored ``record.json``) validate records without this package. The model is the single
source of truth: regenerate the file after changing it, and a test checks they agree::

    python -m oral_archive.schemas.jsonschema            # rewrite the shipped file
    python -m oral_archive.schemas.jsonschema --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from .record import SCHEMA_VERSION, Record

SCHEMA_ID = f"https://oral-archive.invalid/schemas/record-v{SCHEMA_VERSION}.schema.json"
RECORD_SCHEMA_PATH = Path(str(resources.files(__package__))) / "json" / "record.schema.json"


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Record``, as pydantic generates it."""
    schema = Record.model_json_schema()
    # $schema and $id first, so the file says what it is before what it contains.
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render() -> str:
    """The schema file's exact text (stable key order, trailing newline, diff-friendly)."""
    return json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the shipped schema file, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m oral_archive.schemas.jsonschema", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs from the model")
    parser.add_argument("--output", type=Path, default=RECORD_SCHEMA_PATH, help="where to write (default: the shipped file)")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run python -m oral_archive.schemas.jsonschema", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
