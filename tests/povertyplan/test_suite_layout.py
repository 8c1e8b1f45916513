"""The test suite's own layout: fixtures live in conftest.py files, shared plain helpers in modules
not named test_* (tests/builders.py, tests/factories.py, tests/snapshots.py, tests/services.py…).

A test module that imports another one runs the other's module-level code, collects nothing new and
ties the two together (moving a test breaks its neighbour); one that imports a conftest gets a
second copy of it, whose fixtures pytest does not know.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def forbidden_imports(source: str) -> list[str]:
    """Each import of a test module (test_*) or of a conftest, absolute or relative, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            modules = [base] + [f"{base}.{alias.name}".replace("..", ".") for alias in node.names]
        else:
            continue
        for module in modules:
            parts = [part for part in module.split(".") if part]
            if any(part == "conftest" or part.startswith("test_") for part in parts):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
                break
    return found


@pytest.mark.parametrize(
    "source",
    [
        "from tests.households.test_importer import csv_file",
        "import tests.reports.test_recompute",
        "import tests.reports.test_recompute as recompute",
        "from tests.api.conftest import assert_error",
        "from .conftest import OFFICE",
        "from . import conftest",
        "from .test_uploads import Unit",
        "from tests.reports import test_dashboard",
        "def helper():\n    from tests.reports.test_recompute import seed_reviews\n",
    ],
)
def test_an_import_of_a_test_module_or_a_conftest_is_found(source):
    assert len(forbidden_imports(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "from tests.builders import csv_file, review_row",
        "from tests.factories import CommuneFactory",
        "from .pages import OFFICE",
        "import pytest",
        "from households import tasks",
        "from reports.recompute.testing import x",  # a name that only contains "test"
    ],
)
def test_helpers_and_the_portal_s_modules_may_be_imported(source):
    assert forbidden_imports(source) == []


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    modules = sorted(TESTS.rglob("*.py"))
    assert len([path for path in modules if path.name.startswith("test_")]) > 50  # the walk found the suite
    offences = {
        str(path.relative_to(TESTS.parent)): found
        for path in modules
        if (found := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offences == {}, "move shared fixtures to a conftest.py and plain helpers to a module not named test_*"


def builds_review_rows(source: str) -> bool:
    """Whether the source writes an import row of its own: a dict literal keyed by household_code."""
    return any(
        isinstance(node, ast.Dict)
        and any(isinstance(key, ast.Constant) and key.value == "household_code" for key in node.keys)
        for node in ast.walk(ast.parse(source))
    )


def test_review_rows_are_built_only_by_tests_builders():
    assert builds_review_rows('def row(code):\n    return {"household_code": code, "year": 2023}\n')
    assert not builds_review_rows('review_row("H1", household_code="H2")')
    builders = TESTS / "builders.py"
    assert builds_review_rows(builders.read_text(encoding="utf-8"))
    others = [
        str(path.relative_to(TESTS.parent))
        for path in sorted(TESTS.rglob("*.py"))
        if path != builders and builds_review_rows(path.read_text(encoding="utf-8"))
    ]
    assert others == [], "build import rows with tests.builders.review_row"
