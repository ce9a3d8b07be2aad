"""The ``aws_iam_policy_document`` data source, computed offline as Terraform's AWS provider does.

An evaluated data block (``statement`` blocks with ``actions``, ``principals``, ``condition``
...) becomes the policy JSON (``EncodedJson``, its decoded form keeping each statement's
lines): statements of ``source_policy_documents`` first, then the block's own, then those of
``override_policy_documents``, a statement with a ``sid`` replacing the earlier one with the
same ``sid``. A source or override document known only after apply adds an Unknown statement.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.loaders.terraform.eval.functions import encode_json, unknown_from
from scanner.values import EncodedJson, Span, SpannedDict, SpannedList, Unknown

_STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def _principals(blocks: Any) -> Any:
    out = SpannedDict(span=getattr(blocks, "span", None))
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        ptype = block.get("type")
        identifiers = block.get("identifiers")
        if ptype == "*" and isinstance(identifiers, list) and list(identifiers) == ["*"]:
            return "*"
        if isinstance(ptype, str):
            existing = out.get(ptype)
            if isinstance(existing, list) and isinstance(identifiers, list):
                existing.extend(identifiers)
            else:
                out[ptype] = identifiers
            if isinstance(block, SpannedDict) and block.span is not None:
                out.key_spans[ptype] = block.span
    return out


def _conditions(blocks: Any) -> SpannedDict:
    out = SpannedDict(span=getattr(blocks, "span", None))
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        if not isinstance(test, str) or not isinstance(variable, str):
            continue
        by_test = out.setdefault(test, SpannedDict(span=getattr(block, "span", None)))
        by_test[variable] = values
        if isinstance(block, SpannedDict) and block.span is not None:
            by_test.key_spans[variable] = block.span
            out.key_spans.setdefault(test, block.span)
    return out


def _statement(block: SpannedDict) -> SpannedDict:
    st = SpannedDict(span=block.span)
    for hcl_key, json_key in _STATEMENT_KEYS:
        if hcl_key in block and block[hcl_key] is not None:
            st[json_key] = block[hcl_key]
            if hcl_key in block.key_spans:
                st.key_spans[json_key] = block.key_spans[hcl_key]
    if "Effect" not in st:
        st["Effect"] = "Allow"
        if block.span is not None:
            st.key_spans["Effect"] = block.span
    for hcl_key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if hcl_key in block:
            st[json_key] = _principals(block[hcl_key])
            if hcl_key in block.key_spans:
                st.key_spans[json_key] = block.key_spans[hcl_key]
    if "condition" in block:
        st["Condition"] = _conditions(block["condition"])
        if "condition" in block.key_spans:
            st.key_spans["Condition"] = block.key_spans["condition"]
    return st


def _statements_of(document: Any) -> list[Any] | None:
    if isinstance(document, EncodedJson):
        document = document.decoded
    elif isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        return [statements]
    return list(statements) if isinstance(statements, list) else None


def policy_document_json(body: SpannedDict) -> Any:
    """An evaluated ``data "aws_iam_policy_document"`` body -> EncodedJson of the policy."""
    doc = SpannedDict(span=body.span)
    version = body.get("version")
    doc["Version"] = version if version is not None else "2012-10-17"
    if "version" in body.key_spans:
        doc.key_spans["Version"] = body.key_spans["version"]
    if body.get("policy_id") is not None:
        doc["Id"] = body["policy_id"]
    blocks = body.get("statement")
    own = [_statement(b) for b in (blocks if isinstance(blocks, list) else []) if isinstance(b, SpannedDict)]
    statements: list[Any] = []
    spans: list[Span | None] = []
    pending: list[Any] = []
    sources = body.get("source_policy_documents") or []
    for source in sources if isinstance(sources, list) else []:
        found = _statements_of(source)
        if found is None:
            pending.append(source)
            continue
        statements.extend(found)
        spans.extend(getattr(s, "span", None) for s in found)

    def place(statement: Any) -> None:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if sid:
            for i, existing in enumerate(statements):
                if isinstance(existing, dict) and existing.get("Sid") == sid:
                    statements[i] = statement
                    spans[i] = getattr(statement, "span", None)
                    return
        statements.append(statement)
        spans.append(getattr(statement, "span", None))

    for statement in own:
        place(statement)
    overrides = body.get("override_policy_documents") or []
    for override in overrides if isinstance(overrides, list) else []:
        found = _statements_of(override)
        if found is None:
            pending.append(override)
            continue
        for statement in found:
            place(statement)
    if isinstance(body.get("source_policy_documents"), Unknown) or isinstance(overrides, Unknown):
        pending.append(body.get("source_policy_documents"))
    statement_span = body.key_spans.get("statement")
    doc["Statement"] = SpannedList(statements, span=statement_span, item_spans=spans)
    if statement_span is not None:
        doc.key_spans["Statement"] = statement_span
    if pending:
        doc["Statement"].append(unknown_from("a source or override policy document known only after apply", *pending))
    return encode_json(doc)
