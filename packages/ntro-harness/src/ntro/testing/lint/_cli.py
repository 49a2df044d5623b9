"""``ntro workflow lint``: the command published under the ``ntro.commands`` entry points.

Importing this module stays cheap: the analysis modules load when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ntro.cli import CommandError

if TYPE_CHECKING:
    from ntro.testing.lint._report import Format

__all__ = ["LINT_COMMAND", "LintCommand"]

_FORMATS = ("text", "json", "github")


def _codes(values: list[str] | None) -> list[str]:
    return [code for value in values or () for code in value.split(",") if code.strip()]


class LintCommand:
    """Lint runbook files and bundle directories for non-deterministic workflow code."""

    help = "check workflow code for calls that break replay (the determinism lint)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the lint's arguments to ``parser``."""
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="files, runbook bundles or directories of them (directories are walked for *.py)",
        )
        parser.add_argument(
            "--format",
            choices=_FORMATS,
            default="text",
            help="text: path:line:col: CODE message (default); json: findings and a summary; "
            "github: GitHub Actions annotations",
        )
        parser.add_argument(
            "--select",
            action="append",
            metavar="CODES",
            help="only report these codes or code prefixes (comma-separated, repeatable)",
        )
        parser.add_argument(
            "--ignore",
            action="append",
            metavar="CODES",
            help="do not report these codes or code prefixes (comma-separated, repeatable)",
        )
        parser.add_argument(
            "--scope",
            choices=("workflow", "module"),
            default="workflow",
            help="workflow: lint workflow classes and the functions and classes they reach, in any module "
            "of the bundle (default); module: lint every function and class except activities and the "
            "helpers only activities use",
        )
        parser.add_argument("--list-rules", action="store_true", help="print the rule codes and exit")

    def run(self, args: argparse.Namespace) -> int:
        """Lint ``args.paths``: exit 0 when clean, 1 with findings, 2 on a usage error."""
        from ntro.testing.lint._engine import lint_files
        from ntro.testing.lint._files import SKIPPED_DIRECTORIES, iter_python_files
        from ntro.testing.lint._report import render
        from ntro.testing.lint._rules import RULES, UnknownRuleError, enabled_codes

        if args.list_rules:
            for rule in RULES.values():
                sys.stdout.write(f"{rule.code} {rule.name}: {rule.summary} Use: {rule.alternative}.\n")
            return 0
        if not args.paths:
            raise CommandError("no PATH given: name files or runbook bundle directories to lint")
        try:
            codes = enabled_codes(_codes(args.select), _codes(args.ignore))
            files = list(iter_python_files(args.paths))
            for path in args.paths:
                if Path(path).is_dir() and next(iter_python_files([path]), None) is None:
                    skipped = ", ".join(sorted(SKIPPED_DIRECTORIES))
                    raise CommandError(
                        f"{path}: nothing to lint here (no *.py files; hidden, {skipped} and symlinked "
                        "directories are skipped, and in a bundle only templates/ is read)"
                    )
        except (UnknownRuleError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        except (OSError, ValueError) as exc:  # an unreadable directory; ValueError: a NUL byte in a path
            if isinstance(exc, OSError) and exc.filename is not None:
                raise CommandError(f"{exc.filename}: cannot be read ({exc.strerror}); check its permissions") from None
            raise CommandError(f"a path cannot be used: {exc}") from None
        findings = lint_files(files, codes, scope=args.scope)
        fmt: Format = args.format
        sys.stdout.write(render(findings, fmt, files=len(files)))
        sys.stdout.flush()
        return 1 if findings else 0


LINT_COMMAND = LintCommand()
"""The object the ``workflow.lint`` entry point names."""
