"""The runbooks a command names: bundles on disk (``--bundles``, ``NTRO_BUNDLES``) or in a registry (``--registry``).

``ntro worker PATH...`` hosts what :func:`load_bundles` finds; ``ntro
workflow start SLUG`` and ``ntro schedule create SLUG`` find the slug's
bundle with :func:`bundle_and_input` (which also checks ``--input`` against
the runbook's input model). Each problem is one line (exit 2; a registry
that cannot be reached, exit 1).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ntro.cli import CommandError, read_input_text

__all__ = ["BUNDLES_ENV", "add_bundles_option", "bundle_and_input", "load_bundles", "registry_bundle"]

BUNDLES_ENV = "NTRO_BUNDLES"
"""Where the commands look for bundles when ``--bundles`` is not given (``os.pathsep``-separated paths)."""


def load_bundles(paths: Sequence[str]) -> list[Any]:
    """Load every runbook bundle in ``paths`` (bundle directories, or directories of bundles).

    Raises:
        CommandError: A path holds no bundle, a bundle does not load, or two bundles share a slug.
    """
    from ntro.workflow.bundle import BundleError, load_bundle

    bundles: list[Any] = []
    seen: dict[str, Path] = {}
    for raw in paths:
        if not raw.strip():  # Path("") is ".": an empty argument must not mean the current directory
            raise CommandError("an empty bundle path was given; pass a runbook bundle or a directory of bundles")
        path = Path(raw)
        try:
            if path.is_dir() and not (path / "runbook.md").exists():
                found = sorted(d for d in path.iterdir() if (d / "runbook.md").is_file())
                if not found:
                    raise CommandError(f"{raw}: no runbook bundle here (no runbook.md in it or in its subdirectories)")
            else:
                found = [path]  # load_bundle says what is wrong with it
        except OSError as exc:
            on = f" on {exc.filename}" if exc.filename is not None and str(exc.filename) != raw else ""
            raise CommandError(f"{raw}: cannot be read ({exc.strerror or exc}{on}); check its permissions") from None
        for directory in found:
            try:
                bundle = load_bundle(directory)
            except BundleError as exc:
                raise CommandError(str(exc)) from None
            other = seen.get(bundle.slug)
            if other is not None and other != bundle.path:
                raise CommandError(f"two bundles have slug {bundle.slug!r}: {other} and {bundle.path}")
            if other is None:
                seen[bundle.slug] = bundle.path
                bundles.append(bundle)
    return bundles


def add_bundles_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--bundles PATH`` (repeatable) and ``--registry URL``, where :func:`bundle_and_input` finds the slug."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--bundles",
        action="append",
        metavar="PATH",
        help="a runbook bundle or a directory of bundles, to resolve the slug and check the input "
        f"(repeatable) [env {BUNDLES_ENV}, {os.pathsep}-separated]",
    )
    where.add_argument(
        "--registry",
        metavar="URL",
        help="resolve the slug in this runbook registry instead (its newest version) [env NTRO_REGISTRY]",
    )


def registry_bundle(url: str | None, slug: str, version: str | None = None) -> Any:
    """Return the bundle of ``slug`` (at ``version``, default the newest) from the registry at ``url``, imported.

    Its files are written to a temporary directory, removed when the process ends.

    Raises:
        CommandError: The registry cannot be read, or has no such slug or version, or the bundle does not load.
    """
    import atexit
    import shutil
    import tempfile

    from ntro.registry import RegistryError, RegistryUnreachableError, open_registry
    from ntro.workflow.bundle import BundleError

    try:
        registry = open_registry(url)
        published = registry.get(slug, version)
        cache = tempfile.mkdtemp(prefix="ntro-registry-")
        atexit.register(shutil.rmtree, cache, True)
        return registry.load(published, cache)
    except RegistryUnreachableError as exc:
        raise CommandError(str(exc), exit_code=1) from None
    except (RegistryError, BundleError) as exc:
        raise CommandError(str(exc)) from None


def bundle_and_input(args: argparse.Namespace) -> tuple[Any, Any]:
    """Return the bundle of ``args.slug`` (found under ``--bundles``) and ``args.input`` parsed for it.

    The input (JSON, ``@file`` or ``@-``) is checked against the runbook's
    input model; ``None`` when the runbook takes none and none is given.

    Raises:
        CommandError: No bundles are given, the slug is not among them, or the input does not fit.
    """
    from ntro.registry import REGISTRY_ENV
    from ntro.workflow.bundle import InputError, parse_input

    paths = _bundle_paths(args)
    registry = getattr(args, "registry", None)
    if registry is not None or (not paths and os.environ.get(REGISTRY_ENV, "").strip()):
        bundle = registry_bundle(registry, args.slug)
    elif not paths:
        raise CommandError(
            f"cannot resolve slug {args.slug!r}: say where the runbook bundles are with --bundles PATH "
            f"(or {BUNDLES_ENV}=PATH), or name a registry with --registry URL"
        )
    else:
        bundles = {b.slug: b for b in load_bundles(paths)}
        bundle = bundles.get(args.slug)
        if bundle is None:
            known = ", ".join(sorted(bundles)) or "none"
            raise CommandError(f"unknown slug {args.slug!r}; the bundles under {' '.join(paths)} have: {known}")
    try:
        arg = parse_input(bundle.workflow_cls, read_input_text(args.input))
    except InputError as exc:
        raise CommandError(f"bad input for {args.slug}: {exc}") from None
    return bundle, arg


def _bundle_paths(args: argparse.Namespace) -> list[str]:
    if args.bundles:
        return list(args.bundles)
    from_env = os.environ.get(BUNDLES_ENV, "").strip()
    return [p for p in from_env.split(os.pathsep) if p] if from_env else []
