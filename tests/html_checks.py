"""Checks on a page's HTML shared by the page tests."""

from __future__ import annotations

from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
            if attributes.get("aria-describedby"):
                self.described[attributes["id"]] = attributes["aria-describedby"].split()


def assert_described_by_real_ids(content: str, input_id: str, *expected: str) -> None:
    """The input's aria-describedby names `expected` among its ids, and every id it names is an
    element of the page (a reader following it finds the error list, not nothing)."""
    page = _Ids()
    page.feed(content)
    described = page.described.get(input_id)
    assert described is not None, f"#{input_id} has no aria-describedby"
    assert set(expected) <= set(described), described
    missing = [name for name in described if name not in page.ids]
    assert not missing, f"#{input_id} aria-describedby names ids that are not on the page: {missing}"
    for every, names in page.described.items():
        assert all(name in page.ids for name in names), f"#{every} aria-describedby={names}"
