"""ntro.testing stays cheap to import and never needs temporalio."""

from __future__ import annotations

import subprocess
import sys

import ntro.testing
import ntro.testing.lint


def test_lazy_package_exports() -> None:
    assert set(ntro.testing.__all__) <= set(dir(ntro.testing))
    for name in ntro.testing.__all__:
        assert getattr(ntro.testing, name) is not None
    for name in set(ntro.testing.__all__) & set(ntro.testing.lint.__all__):
        assert getattr(ntro.testing, name) is getattr(ntro.testing.lint, name)


def test_every_public_name_has_a_docstring() -> None:
    for name in ntro.testing.lint.__all__:
        value = getattr(ntro.testing.lint, name)
        if callable(value) and name != "ScopeMode":  # a typing alias, documented in the module
            assert getattr(value, "__doc__", None), name


def test_importing_the_lint_and_its_command_does_not_import_temporalio() -> None:
    code = (
        "import sys\n"
        "import ntro.testing\n"
        "assert 'ntro.testing.lint' not in sys.modules, 'ntro.testing must load the lint lazily'\n"
        "import ntro.testing.lint._cli\n"
        "from ntro.testing import lint_paths, lint_source\n"
        "lint_source('import temporalio.workflow\\n', 'x.py')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'temporalio'], 'temporalio was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
