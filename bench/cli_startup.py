"""CLI start-up benchmark: wall time of ``oral-archive --help``, ``show ID`` and ``search WORD``.

Usage::

    .venv/bin/python bench/cli_startup.py                  # best of 7 runs of each command
    .venv/bin/python bench/cli_startup.py --runs 15 --importtime
    .venv/bin/python bench/cli_startup.py --pythonpath /tmp/old-tree   # time another source tree
                                                        # (a folder holding oral_archive/)

Builds a seed archive in a temporary folder (``oral-archive ingest seeds/``), then runs each
command as a subprocess, as a user would, and prints the best wall time of ``--runs`` runs
against the targets (``--help`` < 0.3 s, ``show`` and ``search`` < 0.5 s), beside a bare
``python -c pass`` (the interpreter's own start-up) and ``uptime`` (other load skews every
figure).

Two columns, because Python compiles a module's source on every import unless it may keep
the bytecode: "cached bytecode" is what an installed copy runs (pip compiles it; here a
temporary ``PYTHONPYCACHEPREFIX`` after one warm-up run), "compiled each run" is a
checkout under ``PYTHONDONTWRITEBYTECODE=1`` (as on the development machines).
``--importtime`` adds the largest imports of each command (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"--help": 0.3, "show ID": 0.5, "search WORD": 0.5}
WORD = "quota"


def cli_command() -> list[str]:
    """The ``oral-archive`` console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("oral-archive")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from oral_archive.pipeline.cli import main; sys.exit(main())"]


def environment(mode: str, cache: Path, pythonpath: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if mode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def best_of(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - start)
    return min(times)


def largest_imports(command: list[str], env: dict[str, str], count: int = 8) -> list[tuple[str, float]]:
    """The top-level packages whose imports took longest in one run of ``command``."""
    if command[0] != sys.executable:
        command = [sys.executable, "-X", "importtime", *command]  # the console script is a Python script
    else:
        command = [sys.executable, "-X", "importtime", *command[1:]]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            name = match.group(2)
            top = ".".join(name.split(".")[:3]) if name.startswith("oral_archive.") else name.split(".")[0]
            totals[top] = totals.get(top, 0.0) + int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command; the best is shown")
    parser.add_argument("--pythonpath", help="put this folder (holding oral_archive/) first on the path: time another tree")
    parser.add_argument("--importtime", action="store_true", help="also list each command's largest imports")
    args = parser.parse_args()

    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    work = Path(tempfile.mkdtemp(prefix="cli-startup-"))
    try:
        archive, cache = work / "archive", work / "pycache"
        cli = cli_command()
        setup_env = environment("cached", cache, args.pythonpath)
        subprocess.run([*cli, "--archive", str(archive), "ingest", str(ROOT / "seeds")], env=setup_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        record_id = sorted(p.name for p in (archive / "records").iterdir() if p.is_dir())[0]
        commands = {
            "--help": [*cli, "--help"],
            "show ID": [*cli, "--archive", str(archive), "show", record_id],
            "search WORD": [*cli, "--archive", str(archive), "search", WORD],
        }
        bare = [sys.executable, "-c", "pass"]
        print(f"seed archive: {sum(1 for _ in (archive / 'records').iterdir())} records; show {record_id}; search {WORD!r}; best of {args.runs}")
        if args.pythonpath:
            print(f"source tree: {args.pythonpath}")
        rows = []
        for name, command in {"python -c pass": bare, **commands}.items():
            row = [name]
            for mode in ("cached", "compiled"):
                env = environment(mode, cache, args.pythonpath)
                subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # warm-up
                row.append(best_of(command, env, args.runs))
            rows.append(row)
        print(f"\n{'command':<16}{'cached bytecode':>17}{'compiled each run':>19}   target")
        for name, cached, compiled in rows:
            target = TARGETS.get(name)
            verdict = "" if target is None else f"< {target:.1f} s: " + ("met" if cached < target else "MISSED") + (" (compiled: met)" if compiled < target else " (compiled: missed)")
            print(f"{name:<16}{cached:>15.3f} s{compiled:>17.3f} s   {verdict}")
        if args.importtime:
            for name, command in commands.items():
                found = largest_imports(command, environment("compiled", cache, args.pythonpath))
                print(f"\nlargest imports of {name} (self time, compiled each run): " + ", ".join(f"{module} {seconds * 1000:.0f} ms" for module, seconds in found))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
