"""ntro.registry: versioned runbook bundles in a store, which workers follow.

A registry keeps every published version of every runbook, immutable and
content-hashed, in a store addressed by an fsspec URL: a directory by
default (``./registry``, ``file:///srv/ntro-registry``), or ``s3://bucket/path``,
``gs://...``, ``memory://...`` with the fsspec package for that protocol::

    from ntro.registry import open_registry

    registry = open_registry("./registry")
    published = registry.publish("runbooks/invoice-approval")  # version: from runbook.md
    print(published.version, published.revision, published.short_hash)
    for version in registry.versions("invoice-approval"):
        print(version.version, version.published_at)

Each publish makes a new :class:`Revision`: every runbook at the version it
had then. ``ntro worker --registry URL`` serves revisions on Temporal (one
Worker Deployment Version each, so runs in flight finish on the code they
started on); ``ntro workflow run SLUG --registry URL`` runs a published
version in-process. ``ntro workflow create --path DIR`` validates, lints and
publishes from the command line, and records :class:`Binding` s: a runbook
bound to an entity, optionally on a schedule.
"""

from __future__ import annotations

from ntro.registry._files import bundle_files
from ntro.registry._records import (
    ENTITY_FIELD,
    FORMAT,
    Binding,
    LoadedRevision,
    PublishedVersion,
    RegistryError,
    RegistryUnreachableError,
    Revision,
    VersionExistsError,
    binding_input,
    check_binding_id,
    pinned_revisions,
)
from ntro.registry._registry import REGISTRY_ENV, Registry, default_registry_url, open_registry

__all__ = [
    "ENTITY_FIELD",
    "FORMAT",
    "REGISTRY_ENV",
    "Binding",
    "LoadedRevision",
    "PublishedVersion",
    "Registry",
    "RegistryError",
    "RegistryUnreachableError",
    "Revision",
    "VersionExistsError",
    "binding_input",
    "bundle_files",
    "check_binding_id",
    "default_registry_url",
    "open_registry",
    "pinned_revisions",
]
