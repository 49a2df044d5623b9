"""Which engines ``ntro workflow test --runtime`` names: one, several, ``all`` or ``both`` of the installed."""

from __future__ import annotations

from ntro.runtime.protocol import (
    DEFAULT_BACKEND,
    INSTALL_HINT,
    RuntimeNotAvailableError,
    installed_clients,
    require_clients,
)

__all__ = ["RUNTIME_SPEC_HELP", "select_engines"]

RUNTIME_SPEC_HELP = (
    "the engine: an installed backend's name, or several (A,B: each one's results are compared with the "
    "first's), 'all' (every installed engine), or 'both' (the two installed engines, when exactly two are); "
    f"default: {DEFAULT_BACKEND}"
)
"""The help of ``--runtime``."""


def _reference_first(names: list[str]) -> tuple[str, ...]:
    """The default backend (the reference the others are compared with) first, then the others by name."""
    return tuple(sorted(names, key=lambda name: (name != DEFAULT_BACKEND, name)))


def select_engines(spec: str) -> tuple[str, ...]:
    """Return the engines a ``--runtime`` value names, in order; the first is the one the others are compared with.

    * ``NAME``: that engine;
    * ``A,B,...``: those engines, in that order;
    * ``all``: every installed engine (``ntro.clients``), the default backend first;
    * ``both``: the two installed engines, when exactly two are (``local`` and
      ``temporal`` where those are what is installed).

    Raises:
        ValueError: ``spec`` is empty, names an engine twice, or ``both``
            cannot tell which two engines it means.
        RuntimeNotAvailableError: An engine it names is not installed, or
            ``both`` finds only one (the message says what to install).
    """
    installed = installed_clients()
    if spec == "all":
        if not installed:
            require_clients(DEFAULT_BACKEND)  # says what to install
        return _reference_first(installed)
    if spec == "both":
        if len(installed) == 2:
            return _reference_first(installed)
        if len(installed) > 2:
            listed = ", ".join(_reference_first(installed))
            raise ValueError(
                f"--runtime both compares two engines, and {len(installed)} are installed ({listed}); "
                "name the ones to compare (--runtime A,B) or use --runtime all"
            )
        missing = [hint for name, hint in INSTALL_HINT.items() if name not in installed]
        how = f" ({' or '.join(missing)})" if missing else ""
        raise RuntimeNotAvailableError(
            f"--runtime both compares two engines, and only {', '.join(installed) or 'none'} is installed; "
            f"install another{how}"
        )
    names = [part.strip() for part in spec.split(",")]
    if any(not part for part in names):
        raise ValueError(f"--runtime {spec!r}: an engine's name is empty; give NAME or A,B (no empty names)")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"--runtime {spec!r} names {', '.join(twice)} more than once")
    require_clients(*names)  # before any scenario runs, not after the first engine's
    return tuple(names)
