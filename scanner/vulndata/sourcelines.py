"""Lines of things in a data file (an SBOM, an Inspector export), so a finding can point at
the entry it rests on. JSON parsers drop line numbers; the entries are found again in the
text, in document order, by a string only that entry carries (a purl, an SPDXID, an ARN)."""

from __future__ import annotations

import bisect
import json


class TextLines:
    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0]
        self._starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
        self._cursor = 0

    def line_at(self, offset: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_right(self._starts, offset)

    def find_line(self, *needles: str) -> int:
        """The line of the first of ``needles`` (JSON string values) found after the last
        match, else anywhere; 0 when none is found."""
        for needle in needles:
            if not needle:
                continue
            quoted = json.dumps(needle)
            for start in (self._cursor, 0):
                found = self.text.find(quoted, start)
                if found < 0:
                    found = self.text.find(f'"{needle}"', start)
                if found >= 0:
                    self._cursor = found + 1
                    return self.line_at(found)
        return 0
