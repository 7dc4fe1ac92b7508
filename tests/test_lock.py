"""runtime.lock is a true resolution of the product's dependencies, checked offline.

`make run` installs the lock with `pip install --no-deps`, so pip checks nothing: a lock
that misses a dependency, pins a version outside a declared range, or has fallen behind
pyproject would install a broken venv without a word. These tests read the declared
requirements of the installed packages (the test venv is built on top of the lock).
"""

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)$")


def _lock() -> dict[str, str]:
    """Canonical name -> version of every line of the lock (comments aside)."""
    pins: dict[str, str] = {}
    for line in (ROOT / "runtime.lock").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"not a plain name==version line: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"pinned twice: {name}"
        pins[name] = match[2]
    return pins


def _make_variable(name: str) -> list[str]:
    """The words of a `NAME := ...` variable of the Makefile (backslash continuations read)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(rf"^{name} := (.*)$", text, re.MULTILINE)
    assert match, name
    return match[1].split()


def _roots() -> list[Requirement]:
    """What the product asks for: pyproject's dependencies and the model wheel."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(d) for d in project["dependencies"]] + [
        Requirement(_make_variable("MODEL")[0])
    ]


def _requires(name: str, extras: frozenset[str]) -> list[Requirement]:
    """The installed package's requirements that apply on this machine, with the extras
    that its dependents ask for (`uvicorn[standard]`)."""
    found = []
    for text in metadata.requires(name) or []:
        req = Requirement(text)
        if req.marker is None or any(
            req.marker.evaluate({"extra": extra}) for extra in {"", *extras}
        ):
            found.append(req)
    return found


def test_lock_pins_what_pyproject_pins() -> None:
    pins = _lock()
    for req in _roots():
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is a dependency but not in runtime.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"runtime.lock has {name}=={pins[name]}, pyproject asks {req}: run `make lock`"
        )


def test_lock_is_what_the_tests_run_on() -> None:
    """The test venv is built on the lock; a package the test extras moved to another
    version would mean the tests check a different set than `make run` installs."""
    moved = {}
    for name, version in _lock().items():
        try:
            installed: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            moved[name] = (version, installed)
    assert not moved, f"locked vs installed: {moved}"


def test_lock_is_closed_and_has_nothing_extra() -> None:
    """Every requirement of a locked package is met inside the lock (or is one the Makefile
    leaves out on purpose), and every locked package is needed by the product."""
    pins = _lock()
    unused = {canonicalize_name(n) for n in _make_variable("UNUSED")}
    assert not unused & pins.keys(), unused & pins.keys()
    model = canonicalize_name(Requirement(_make_variable("MODEL")[0]).name)
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in _roots()]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        needed.add(name)
        if name == model:  # installed without its declared dependencies (Makefile)
            continue
        for req in _requires(name, extras):
            dep = canonicalize_name(req.name)
            if dep in unused:
                continue
            assert dep in pins, f"{name} needs {req}, which runtime.lock lacks"
            assert req.specifier.contains(pins[dep], prereleases=True), (
                f"{name} needs {req}, runtime.lock has {pins[dep]}"
            )
            todo.append((dep, frozenset(req.extras)))
    assert pins.keys() == needed, f"locked but needed by nothing: {pins.keys() - needed}"


def test_lock_carries_the_build_backend() -> None:
    """The Makefile installs the project with --no-build-isolation, on the lock's setuptools."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    pins = _lock()
    for req in map(Requirement, build["requires"]):
        name = canonicalize_name(req.name)
        assert name in pins and req.specifier.contains(pins[name]), (req, pins.get(name))
