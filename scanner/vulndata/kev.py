"""CISA's Known Exploited Vulnerabilities catalog (the JSON feed):
``{"vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": ..., ...}]}``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.frozen import frozen


@frozen
class KevEntry:
    cve_id: str
    name: str
    date_added: str
    ransomware: bool


def load_kev(path: Path, display: str) -> tuple[dict[str, KevEntry], list[LoadError]]:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return {}, [LoadError(display, exc.lineno, f"not a KEV catalog: {exc.msg}")]
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [LoadError(display, 0, f"cannot read the KEV catalog: {exc}")]
    items = document.get("vulnerabilities") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return {}, [LoadError(display, 1, 'not a KEV catalog: no "vulnerabilities" list')]
    catalog: dict[str, KevEntry] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("cveID"), str):
            cve = item["cveID"].strip().upper()
            catalog[cve] = KevEntry(
                cve_id=cve,
                name=str(item.get("vulnerabilityName") or ""),
                date_added=str(item.get("dateAdded") or ""),
                ransomware=str(item.get("knownRansomwareCampaignUse", "")).lower() == "known",
            )
    return catalog, []
