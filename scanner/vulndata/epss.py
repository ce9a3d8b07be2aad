"""FIRST's EPSS scores: the daily CSV (optionally gzipped), a comment line
``#model_version:...,score_date:...`` then ``cve,epss,percentile`` rows."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from scanner.findings import LoadError


def load_epss(path: Path, display: str) -> tuple[dict[str, float], list[LoadError]]:
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        return {}, [LoadError(display, 0, f"cannot read the EPSS scores: {exc}")]
    scores: dict[str, float] = {}
    errors: list[LoadError] = []
    columns: dict[str, int] | None = None
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].startswith("#"):
            continue
        if columns is None:
            columns = {name.strip().lower(): i for i, name in enumerate(row)}
            if "cve" not in columns or "epss" not in columns:
                return {}, [LoadError(display, number, "not an EPSS CSV: expected the header cve,epss,percentile")]
            continue
        try:
            cve = row[columns["cve"]].strip().upper()
            scores[cve] = float(row[columns["epss"]])
        except (IndexError, ValueError):
            if len(errors) < 5:
                errors.append(LoadError(display, number, "unreadable EPSS row"))
    if columns is None:
        errors.append(LoadError(display, 1, "not an EPSS CSV: no header"))
    return scores, errors
