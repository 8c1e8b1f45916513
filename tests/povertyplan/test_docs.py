"""The repository explains itself: its code, tests and README cite the project's own docs/, never
the planning briefs that lived beside the repository and that a user of it does not have; and every
docs/ page cited exists."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# The briefs' names, written so that this file does not match itself.
BRIEFS = re.compile(r"\b(?:DOMAIN|DESIGN|STYLE|NOTES)\.md\b|\.\./shared\b")
# A docs page named by its path from the repository's root (not e.g. bench/docs/…).
DOCS_PATH = re.compile(r"(?<![\w/.-])docs/[\w.-]+\.md\b")
# A relative Markdown link to another page, inside docs/.
RELATIVE_LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#[^)]*)?\)")


def tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="ignore")


def test_no_tracked_file_outside_docs_cites_the_briefs():
    offenders = []
    for path in tracked_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("docs/"):
            continue
        for number, line in enumerate(text(path).splitlines(), start=1):
            if BRIEFS.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "cite the matching docs/ page instead:\n" + "\n".join(offenders)


def test_every_docs_page_cited_exists():
    missing = []
    for path in tracked_files():
        for cited in sorted(set(DOCS_PATH.findall(text(path)))):
            if not (ROOT / cited).is_file():
                missing.append(f"{path.relative_to(ROOT).as_posix()} cites {cited}")
    assert not missing, missing


def test_links_between_docs_pages_resolve():
    broken = []
    for page in sorted(DOCS.glob("*.md")):
        for target in sorted(set(RELATIVE_LINK.findall(page.read_text(encoding="utf-8")))):
            if not (DOCS / target).is_file():
                broken.append(f"docs/{page.name} links to {target}")
    assert not broken, broken


def test_the_readme_lists_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Documentation" in readme
    pages = sorted(page.name for page in DOCS.glob("*.md"))
    assert pages, "docs/ holds no page"
    unlisted = [name for name in pages if f"docs/{name}" not in readme]
    assert not unlisted, unlisted


def test_the_checks_catch_what_they_are_for():
    """The patterns above, on lines they must and must not match (a check that cannot fail proves nothing)."""
    assert BRIEFS.search("Formulas: " + "DOMAIN" + ".md §4")
    assert BRIEFS.search("see .." + "/shared/DESIGN" + ".md")
    assert not BRIEFS.search("Formulas: docs/progress-method.md")
    assert DOCS_PATH.findall("see docs/plan.md and bench/docs/x.md, /api/v1/docs/") == ["docs/plan.md"]
    assert RELATIVE_LINK.findall("[the plan](plan.md#targets) and [x](https://example.org/y.md)") == ["plan.md"]
