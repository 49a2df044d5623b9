"""Sphinx configuration for the ntro documentation site."""

from __future__ import annotations

project = "ntro"
author = "The ntro developers"
copyright = "2026, The ntro developers"
release = "0.2.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
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
        r"(attrs|pydantic|temporalio|logging|argparse|datetime|uuid|random|collections|typing|contextvars|importlib)\..*",
    ),
    (r"py:.*", r"~?(R|C|F|T|P|R_co|Any|Awaitable|Callable|Sequence|Mapping|Duration|LoggerLike|EntryPoint|Token|Generator)"),
    (r"py:class", r"(timedelta|datetime|UUID|Random|Logger|LoggerAdapter|Path|Namespace|ArgumentParser|ContextVar)"),
    (r"py:class", r"(contextlib|types|pytest|_pytest)\..*"),
    (r"py:class", r"(_io\..*|pathlib\..*|os\..*|ntro\..*\._.*|BaseModel|ntro\.runtime\.protocol\.LoggerLike)"),
    # Type variables and internal classes named in signatures.
    (r"py:class", r"(ntro\.[\w.]+\.[A-Z]|LocalRun|Clock)"),
]
html_theme = "furo"
html_title = "ntro"
exclude_patterns = ["_build"]
