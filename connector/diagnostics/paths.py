"""Key paths: where in a config a value sits, as data (``("templates", 3, "subject")``).

This is the one home of the path type that findings, loaders, validation, merge and lint share.
"""

from __future__ import annotations

KeyPath = tuple[str | int, ...]
