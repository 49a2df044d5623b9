"""Load runbook bundles from code, parse input for them, and meet the errors a broken one gives.

From the repository's root: ``python docs/examples/python/load_bundles.py``.
"""

from __future__ import annotations

from ntro.workflow.bundle import BundleError, InputError, load_bundle, parse_input

nav = load_bundle("examples/runbooks/nav-monthly")
ingest = load_bundle("examples/runbooks/document-ingest")  # registers 'document-ingest' for child starts
ctx = parse_input(nav.workflow_cls, '{"period": "2026-11"}')

print(nav.slug, nav.version, nav.workflow_cls.__name__, ctx.period, ctx.entity_slug)
print("activities:", ", ".join(sorted(fn.__name__ for fn in nav.activities)))
print("same bundle when loaded again:", load_bundle("examples/runbooks/nav-monthly") is nav)

try:
    parse_input(nav.workflow_cls, '{"period": "2026-13"}')
except InputError as exc:
    print("InputError:", exc)
try:
    load_bundle("docs/examples/troubleshooting/no-init")
except BundleError as exc:
    print("BundleError:", exc)
