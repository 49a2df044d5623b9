"""``python -m ntro.cli`` runs the ``ntro`` command."""

from ntro.cli._app import entry

entry()
