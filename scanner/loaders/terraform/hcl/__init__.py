"""HCL and Terraform's JSON syntax -> a small syntax tree whose every node knows its lines.

The face of the package: the tree (``tree``), the entry points of the fast parser
(``fast_parser``, which falls back to python-hcl2's grammar in ``grammar``, imported only
then) and the reader of ``.tf.json`` / ``.tfvars.json`` files (``json_syntax``). Each entry
point is one read; ``grammar_cache`` names the folder where the grammar keeps its tables.
"""

from __future__ import annotations

from scanner.loaders.terraform.hcl.fast_parser import (
    MAX_NESTING,
    GrammarNeeded,
    HclReader,
    SureSyntaxError,
    fast_parse,
    parse_expression,
    parse_hcl,
    parse_template,
    parse_with_grammar,
)
from scanner.loaders.terraform.hcl.json_syntax import parse_hcl_json, parse_tfvars_json
from scanner.loaders.terraform.hcl.tree import (
    Attribute,
    BinaryOp,
    Block,
    Body,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    HclSyntaxError,
    Index,
    Literal,
    Node,
    ObjectExpr,
    ObjectItem,
    Parens,
    Splat,
    SplatStep,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    TupleExpr,
    UnaryOp,
    Variable,
)

__all__ = [
    "MAX_NESTING",
    "Attribute",
    "BinaryOp",
    "Block",
    "Body",
    "Conditional",
    "Expr",
    "ForExpr",
    "FunctionCall",
    "GetAttr",
    "GrammarNeeded",
    "HclReader",
    "HclSyntaxError",
    "Index",
    "Literal",
    "Node",
    "ObjectExpr",
    "ObjectItem",
    "Parens",
    "Splat",
    "SplatStep",
    "SureSyntaxError",
    "Template",
    "TemplateFor",
    "TemplateIf",
    "TemplatePart",
    "TupleExpr",
    "UnaryOp",
    "Variable",
    "fast_parse",
    "parse_expression",
    "parse_hcl",
    "parse_hcl_json",
    "parse_template",
    "parse_tfvars_json",
    "parse_with_grammar",
]
