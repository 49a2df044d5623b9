"""``ntro runtimes``: which backends are installed and which one would run."""

from __future__ import annotations

import argparse

from ntro.cli._app import CommandError
from ntro.cli._json import add_json_option, print_json
from ntro.runtime.protocol import describe_selection, installed_runtimes
from ntro.workflow.exceptions import RuntimeNotAvailableError


class RuntimesCommand:
    """List installed runtime backends and the one the selection rules pick."""

    help = "list installed runtime backends and the one that would be selected"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add ``--json``."""
        add_json_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print the backends and the selection."""
        installed = installed_runtimes()
        try:
            choice = describe_selection(installed)
        except RuntimeNotAvailableError as exc:
            if args.json:
                print_json({"installed": sorted(installed), "selected": None, "error": str(exc)})
                return 1
            raise CommandError(str(exc), exit_code=1) from None
        if args.json:
            print_json(
                {
                    "installed": {n: ep.value for n, ep in sorted(installed.items())},
                    "selected": choice.name,
                    "reason": choice.reason,
                }
            )
            return 0
        print("installed runtime backends:")
        for name, ep in sorted(installed.items()):
            marker = "*" if name == choice.name else " "
            print(f"  {marker} {name:<10} {ep.value}")
        print(f"selected: {choice.name} ({choice.reason})")
        return 0


RUNTIMES_COMMAND = RuntimesCommand()
