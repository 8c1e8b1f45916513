"""The Hanoi poverty-reduction target portal (Plan 51-KH/TU)."""
