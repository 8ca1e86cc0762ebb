"""Package attributes loaded on first use (PEP 562), so importing a package costs little.

A package's ``__init__`` lists what it exports and from where; a name is imported from its
module the first time it is read, then kept on the package like an eager import's.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Callable


def lazy_exports(module: str, exports: dict[str, str], package: str | None = None) -> tuple[Callable[[str], object], list[str]]:
    """(``__getattr__``, ``__all__``) for ``module``, exporting each space-separated name of
    ``exports`` from its module key (relative names are read against ``package``, by
    default ``module`` itself)."""
    module_of = {name: source for source, names in exports.items() for name in names.split()}

    def __getattr__(name: str):
        source = module_of.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(import_module(source, package or module), name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__, sorted(module_of)
