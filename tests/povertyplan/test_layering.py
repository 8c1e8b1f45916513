"""Imports run one way (povertyplan ← households ← targets ← reports): a lower app never imports a
higher one; it sends a signal the higher app connects (households.signals, reports/apps.py)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["povertyplan", "households", "targets", "reports"]
# The project's composition roots may name every app: its URL maps, settings, Celery app, and the
# site-wide home page and menu, which know the roles.
ROOTS = {
    "povertyplan/urls.py",
    "povertyplan/api_urls.py",
    "povertyplan/settings.py",
    "povertyplan/celery.py",
    "povertyplan/views.py",
    "povertyplan/context_processors.py",
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_an_app_never_imports_an_app_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ROOTS or "/migrations/" in relative:
            continue
        wrong = imported_apps(path) & above
        if wrong:
            offenders.append(f"{relative} imports {', '.join(sorted(wrong))}")
    assert not offenders, offenders


def test_the_demo_generator_is_only_used_by_its_commands():
    """demo/ (synthetic data) is not part of the portal: only seed_demo and create_demo_users use it."""
    commands = {"households/management/commands/seed_demo.py", "households/management/commands/create_demo_users.py"}
    users = set()
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            if any(module == "demo" or module.startswith("demo.") for module in modules):
                users.add(path.relative_to(ROOT).as_posix())
    assert users == commands
