"""Problem ids from a dataset's own ids: deterministic, and valid in a URL path whatever the source holds.

A stored problem's id is letters, digits and `_.:-` (at most 200 characters). A source id
is kept as it is where it already fits (`codecontests:1548_C. The Three Little Pigs` does
not: spaces and a dot-space); otherwise its other characters become `-` and a short hash
of the original is appended, so two source ids that read alike never share a problem.
"""

from __future__ import annotations

import hashlib
import re

_ALLOWED = re.compile(r"[^A-Za-z0-9_.:-]+")
_MAX = 200


def problem_id(format_name: str, source_id: str) -> str:
    kept = _ALLOWED.sub("-", source_id).strip("-.")
    whole = f"{format_name}:{kept}"
    if kept == source_id and len(whole) <= _MAX:
        return whole
    digest = hashlib.sha256(source_id.encode()).hexdigest()[:12]
    return f"{whole[: _MAX - len(digest) - 1]}-{digest}"
