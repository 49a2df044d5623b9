"""The ``ntro`` command: one entry point, subcommands contributed by each distribution.

A distribution adds a command by publishing an object that satisfies
:class:`Command` under the entry-point group ``ntro.commands``; the entry
point's name is the command path with dots (``workflow.run``, ``worker``)::

    [project.entry-points."ntro.commands"]
    "workflow.run" = "ntro.cli._run:RUN_COMMAND"

What you install is what you get: ``ntro --help`` lists only the commands
whose distributions are installed.
"""

from __future__ import annotations

from ntro.cli._app import Command, CommandError, OutputLostError, build_parser, finish_output, main
from ntro.cli._documents import add_documents_option, documents_from_args
from ntro.cli._json import add_json_option, print_json, read_input_text, to_json_text
from ntro.cli._signals import report_interruption

__all__ = [
    "Command",
    "CommandError",
    "OutputLostError",
    "add_documents_option",
    "add_json_option",
    "build_parser",
    "documents_from_args",
    "finish_output",
    "main",
    "print_json",
    "read_input_text",
    "report_interruption",
    "to_json_text",
]
