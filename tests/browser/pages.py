"""What the browser tests share besides fixtures: the demo password of tests.factories.UserFactory, the
two viewports (an office screen, a phone), and axe-core's accessibility check of a page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

PASSWORD = "x-Secret-2025"  # tests.factories.UserFactory
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it stands (every rule of the vendored version), each
    {id, impact, help, nodes: [{target, html}]}. Injected by the test: no page of the portal loads it."""
    if not page.evaluate("Boolean(window.axe)"):
        # From the portal's own static files: the Content-Security-Policy (script-src 'self')
        # refuses an inline copy, as it would any injected script.
        assert AXE.exists()
        origin = page.evaluate("location.origin")
        page.add_script_tag(url=f"{origin}{settings.STATIC_URL}vendor/axe-core/axe.min.js")
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200)})),
        }))"""
    )
