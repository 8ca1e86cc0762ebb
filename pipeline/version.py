"""The installed oral-archive version, as records and ``oral-archive --version`` state it.

A module of its own so that the CLI can print it without loading the stages.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata as package_metadata


@cache  # package metadata is read from disk; once per process is enough
def tool_version() -> str:
    try:
        return package_metadata.version("oral-archive")
    except package_metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"
