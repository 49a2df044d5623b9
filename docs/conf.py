"""Sphinx configuration for the ntro documentation site."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "ntro"
author = "The ntro developers"
copyright = "2026, The ntro developers"
release = "0.2.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "ntro_docs",  # _ext/ntro_docs.py: step diagrams, harness reports, re-exported names
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpick_ignore_regex = [
    # Names from libraries whose inventories are not fetched (the build is offline).
    (
        r"py:.*",
        r"(attrs|pydantic|temporalio|logging|argparse|asyncio|datetime|uuid|random|collections|typing|contextvars|importlib)\..*",
    ),
    (
        r"py:.*",
        r"~?(R|C|F|T|P|R_co|Any|Awaitable|Callable|Sequence|Mapping|Duration|LoggerLike|EntryPoint|Token|Generator)",
    ),
    (r"py:class", r"(timedelta|datetime|UUID|Random|Logger|LoggerAdapter|Path|Namespace|ArgumentParser|ContextVar)"),
    (r"py:class", r"(contextlib|types|pytest|_pytest|starlette)\..*"),
    (r"py:class", r"(_io\..*|pathlib\..*|os\..*|ntro\..*\._.*|BaseModel|ntro\.runtime\.protocol\.LoggerLike)"),
    # Named in a docstring of the lint; it lives in a private module.
    (r"py:data", r"SKIPPED_DIRECTORIES"),
    # Type variables and internal classes named in signatures.
    (r"py:class", r"(ntro\.[\w.]+\.[A-Z]|LocalRun|Clock|ClientSession)"),
]
html_theme = "furo"
html_title = "ntro"
html_static_path = ["_static"]
html_css_files = ["ntro.css"]
html_favicon = "_static/favicon.svg"
exclude_patterns = ["_build", "examples"]  # examples/ holds the files pages include
