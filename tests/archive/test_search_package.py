"""The search package leaves Whoosh as it ships, checks Whoosh's version, and loads lazily."""

from __future__ import annotations

import importlib
import inspect
import json
import pickle
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import oral_archive.archive.search as search_package

ALL_MODULES = [f"oral_archive.archive.search.{info.name}" for info in pkgutil.iter_modules(search_package.__path__)]

# Builds a plain Whoosh index (Whoosh's default codec and analyzers) over several segments
# with deletions, prints the hits and scores of a few searches. Run with and without our
# package imported first: the output must be the same.
PLAIN_WHOOSH = textwrap.dedent(
    """
    import json, random, sys
    from whoosh import index, qparser
    from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

    for module in sys.argv[2:]:
        __import__(module)
    rng = random.Random(7)
    words = "police officer fire the run running ran quota cafe school teacher nurse".split()
    ix = index.create_in(sys.argv[1], Schema(key=ID(stored=True, unique=True), body=TEXT, tags=KEYWORD, years=NUMERIC(int)))
    for batch in range(3):
        writer = ix.writer()
        for n in range(400):
            writer.add_document(key=f"{batch}-{n}", body=" ".join(rng.choice(words) for _ in range(rng.randint(3, 60))),
                                tags=rng.choice(["red", "green", "blue"]), years=rng.randint(0, 40))
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(0, 400, 9):
        writer.delete_by_term("key", f"1-{n}")
    writer.commit(merge=False)
    parser = qparser.QueryParser("body", ix.schema)
    out = {}
    with ix.searcher() as searcher:
        for text in ["police", "police AND fire", '"police officer"', "tags:red AND NOT quota", "years:[10 TO 20] teacher", "run*"]:
            results = searcher.search(parser.parse(text), limit=None)
            out[text] = [(hit["key"], round(hit.score, 9)) for hit in results]
        matcher = searcher.reader().leaf_readers()[0][0].postings("body", b"police")
        out["matcher"] = type(matcher).__module__ + "." + type(matcher).__qualname__
    print(json.dumps(out))
    """
)


def _whoosh_functions_not_whooshs() -> list[str]:
    """Methods and functions reachable from Whoosh's modules that are not defined by Whoosh."""
    found = []
    for name, module in list(sys.modules.items()):
        if name != "whoosh" and not name.startswith("whoosh."):
            continue
        for attribute, value in list(vars(module).items()):
            members = vars(value).items() if inspect.isclass(value) and value.__module__.startswith("whoosh") else [(attribute, value)]
            for member, function in members:
                function = getattr(function, "__func__", function)
                if inspect.isfunction(function) and not (function.__module__ or "").startswith("whoosh") and inspect.isclass(value):
                    found.append(f"{name}.{attribute}.{member} is {function.__module__}.{function.__qualname__}")
    return found


def test_a_plain_whoosh_index_runs_as_whoosh_ships_it(tmp_path) -> None:
    for module in ALL_MODULES:
        importlib.import_module(module)
    from whoosh.codec import whoosh3

    # Whoosh's posting reader keeps its own methods: identity with the functions defined in its module.
    for method in ("skip_to", "_read_ids", "_read_data", "_read_weights", "_read_values", "_read_header"):
        function = vars(whoosh3.W3LeafMatcher)[method]
        assert function.__module__ == "whoosh.codec.whoosh3" and function.__qualname__ == f"W3LeafMatcher.{method}", method
        assert inspect.getsourcefile(function) == inspect.getsourcefile(whoosh3), method
    assert _whoosh_functions_not_whooshs() == []

    def run(folder: str, *modules: str) -> dict:
        (tmp_path / folder).mkdir()
        done = subprocess.run([sys.executable, "-c", PLAIN_WHOOSH, str(tmp_path / folder), *modules], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    bare, beside_ours = run("bare"), run("ours", *ALL_MODULES)
    assert bare["matcher"] == "whoosh.codec.whoosh3.W3LeafMatcher"
    assert beside_ours == bare
    assert all(bare[text] for text in bare if text != "matcher")  # the searches found something


def test_the_whoosh_version_is_checked(monkeypatch) -> None:
    from oral_archive.archive.search import whoosh_internals

    whoosh_internals.check_version()  # the installed one is the pinned one
    monkeypatch.setattr(whoosh_internals, "installed_version", lambda: "2.7.6")
    with pytest.raises(ImportError) as raised:
        whoosh_internals.check_version()
    assert isinstance(raised.value, whoosh_internals.WhooshVersionError)
    message = str(raised.value)
    assert "2.7.6" in message and whoosh_internals.EXPECTED_WHOOSH in message and "whoosh-reloaded==2.7.5" in message


def test_classes_pickled_under_their_old_module_names_still_load() -> None:
    """Indexes written before the move name ``oral_archive.archive.index`` and
    ``oral_archive.archive.postings`` as the modules of their field classes and codec."""
    from oral_archive.archive.search.postings import ArchiveCodec
    from oral_archive.archive.search.schema import FacetField, FastText, WordPairs, text_analyzer

    moved = [
        (FastText(analyzer=text_analyzer()), b"oral_archive.archive.index"),
        (WordPairs(text_analyzer()), b"oral_archive.archive.index"),
        (FacetField(), b"oral_archive.archive.index"),
        (ArchiveCodec(), b"oral_archive.archive.postings"),
    ]
    for value, old_module in moved:
        data = pickle.dumps(value, protocol=0)  # protocol 0 names a class as "module\\nname\\n"
        new_module = type(value).__module__.encode()
        assert b"c" + new_module + b"\n" in data
        loaded = pickle.loads(data.replace(b"c" + new_module + b"\n", b"c" + old_module + b"\n"))
        assert type(loaded) is type(value)
