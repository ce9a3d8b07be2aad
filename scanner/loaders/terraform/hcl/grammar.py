"""python-hcl2's LALR grammar through Lark: the reference for what is HCL, used when the
fast parser (``fast_parser``) does not accept a text (mostly syntax errors, which it then
reports with python-hcl2's own judgement). An inline transformer builds the tree of ``tree``
directly while parsing. Imported only when needed: lark and hcl2 take a tenth of a second to
import.

The compiled grammar (its LALR tables: seconds to build, a tenth of a second to read back
from the cache folder) is memoised once per process for each cache folder (``_compiled``):
it is an immutable artefact, which parsing reads and never changes, and it is what each of
a scan's worker processes would otherwise build again for every root module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from scanner.frozen import frozen
from scanner.loaders.terraform.hcl.templates import TemplateMarker, assemble_template, heredoc_text
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
    TupleExpr,
    UnaryOp,
    Variable,
    unescape,
)


@frozen
class NestedExpressions:
    """How the grammar reads the expressions inside the heredocs it meets: ``read(text, line,
    grammar_cache)`` is the fast parser's ``parse_expression``, passed in by the fast parser
    (the grammar never imports the parser that falls back to it). Each such read starts its
    own nesting count. Frozen and compared by value: it is part of the compiled grammar's key."""

    read: Callable[[str, int, Path | None], Expr]
    grammar_cache: Path | None  # where the grammar's tables are kept (None: nowhere)

    def __call__(self, text: str, line: int) -> Expr:
        return self.read(text, line, self.grammar_cache)


@frozen
class _Step:
    name: str | None
    key: Expr | None
    line: int
    end_line: int


def _last_line(item: Any) -> int:
    end = getattr(item, "end_line", None)
    return int(end if end is not None else item.line)


def _meaningful(children: list[Any]) -> list[Any]:
    return [c for c in children if c is not None]


def _nodes(children: list[Any]) -> list[Any]:
    return [c for c in children if isinstance(c, Node)]


def _ln(tok: Token) -> int:
    return tok.line or 0


class _ToSyntax(Transformer):
    """Callbacks named after the grammar's rules; each receives the children list."""

    def __init__(self, expressions: NestedExpressions) -> None:
        super().__init__()
        self.expressions = expressions

    # --- structure ---
    def start(self, c: list[Any]) -> Body:
        return c[0]

    def body(self, c: list[Any]) -> Body:
        items = tuple(x for x in c if isinstance(x, (Attribute, Block)))
        if items:
            return Body(items[0].line, items[-1].end_line, items)
        return Body(0, 0, ())

    def new_line_or_comment(self, c: list[Any]) -> None:
        return None

    def attribute(self, c: list[Any]) -> Attribute:
        name_tok, expr = c[0], c[-1]
        return Attribute(name_tok.line, expr.end_line, str(name_tok), expr)

    def block(self, c: list[Any]) -> Block:
        c = _meaningful(c)
        head = c[0]
        labels: list[str] = []
        for label in c[1:]:
            if isinstance(label, Token):
                if label.type in ("LBRACE",):
                    break
                labels.append(str(label))
            elif isinstance(label, Template):
                labels.append("".join(p for p in label.parts if isinstance(p, str)))
            elif isinstance(label, Literal):
                labels.append(str(label.value))
        body = next(x for x in c if isinstance(x, Body))
        return Block(head.line, _last_line(c[-1]), str(head), tuple(labels), body)

    # --- names and literals ---
    def identifier(self, c: list[Any]) -> Token:
        return c[0]

    keyword = identifier
    literal_value = identifier

    def int_lit(self, c: list[Any]) -> Literal:
        tok = c[0]
        return Literal(tok.line, tok.line, int(str(tok)))

    def float_lit(self, c: list[Any]) -> Literal:
        tok = c[0]
        value = float(str(tok))
        return Literal(tok.line, tok.line, int(value) if value.is_integer() and abs(value) < 2**53 else value)

    # --- strings and templates ---
    def string(self, c: list[Any]) -> Template | Literal:
        open_tok, close_tok = c[0], c[-1]
        parts = assemble_template([p for p in c[1:-1]])
        if all(isinstance(p, str) for p in parts):
            return Literal(open_tok.line, close_tok.line, "".join(parts))  # type: ignore[arg-type]
        return Template(open_tok.line, close_tok.line, parts)

    def string_part(self, c: list[Any]) -> Any:
        part = c[0]
        if isinstance(part, Token):
            if part.type == "ESCAPED_INTERPOLATION" or part.type == "ESCAPED_DIRECTIVE":
                return str(part)[1:]
            return unescape(str(part))
        return part

    def interpolation(self, c: list[Any]) -> Any:
        return _meaningful(c)[1]

    def _directive(self, kind: str, c: list[Any]) -> TemplateMarker:
        c = _meaningful(c)
        strip_left = len(c) > 1 and isinstance(c[1], Token) and c[1].type == "STRIP_MARKER"
        strip_right = len(c) > 2 and isinstance(c[-2], Token) and c[-2].type == "STRIP_MARKER"
        exprs = _nodes(c)
        names = [str(x) for x in c if isinstance(x, Token) and x.type == "NAME"]
        marker = TemplateMarker(kind, c[0].line, _last_line(c[-1]), strip_left, strip_right)
        if kind == "if":
            return dataclasses.replace(marker, condition=exprs[0])
        if kind == "for":
            key_var, value_var = (names[0], names[1]) if len(names) > 1 else (None, names[0])
            return dataclasses.replace(marker, condition=exprs[-1], key_var=key_var, value_var=value_var)
        return marker

    def template_if_start(self, c: list[Any]) -> TemplateMarker:
        return self._directive("if", c)

    def template_else(self, c: list[Any]) -> TemplateMarker:
        return self._directive("else", c)

    def template_endif(self, c: list[Any]) -> TemplateMarker:
        return self._directive("endif", c)

    def template_for_start(self, c: list[Any]) -> TemplateMarker:
        return self._directive("for", c)

    def template_endfor(self, c: list[Any]) -> TemplateMarker:
        return self._directive("endfor", c)

    def template_string(self, c: list[Any]) -> Literal:
        tok = c[0]
        return Literal(_ln(tok), _ln(tok), unescape(str(tok)[2:-2]))

    def heredoc_template(self, c: list[Any]) -> Expr:
        return heredoc_text(str(c[0]), _ln(c[0]), False, self.expressions)

    def heredoc_template_trim(self, c: list[Any]) -> Expr:
        return heredoc_text(str(c[0]), _ln(c[0]), True, self.expressions)

    # --- expressions ---
    def expr_term(self, c: list[Any]) -> Expr:
        if len(c) == 1:
            item = c[0]
            if isinstance(item, Token):
                return _token_expr(item)
            return item
        c2 = _meaningful(c)
        inner = c2[1]
        return Parens(c2[0].line, c2[-1].line, inner)

    def conditional(self, c: list[Any]) -> Conditional:
        parts = _nodes(c)
        return Conditional(parts[0].line, parts[-1].end_line, parts[0], parts[1], parts[2])

    def binary_op(self, c: list[Any]) -> BinaryOp:
        left, (op, right) = c[0], c[1]
        return BinaryOp(left.line, right.end_line, op, left, right)

    def binary_term(self, c: list[Any]) -> tuple[str, Expr]:
        c = _meaningful(c)
        return c[0], c[-1]

    def binary_operator(self, c: list[Any]) -> str:
        return str(c[0]).split()[-1]

    def unary_op(self, c: list[Any]) -> UnaryOp:
        op, operand = c[0], c[-1]
        return UnaryOp(op.line, operand.end_line, str(op), operand)

    def tuple_rule(self, c: list[Any]) -> TupleExpr:
        items = tuple(_nodes(c))
        return TupleExpr(c[0].line, c[-1].line, items)

    def object_rule(self, c: list[Any]) -> ObjectExpr:
        items = tuple(x for x in c if isinstance(x, ObjectItem))
        return ObjectExpr(c[0].line, c[-1].line, items)

    def object_elem(self, c: list[Any]) -> ObjectItem:
        key, value = c[0], c[-1]
        return ObjectItem(key.line, value.end_line, key, value)

    def object_elem_key(self, c: list[Any]) -> Expr:
        key = c[0]
        if isinstance(key, Token):
            return Literal(_ln(key), _ln(key), str(key))
        if isinstance(key, Variable):
            return Literal(key.line, key.end_line, key.name)
        if isinstance(key, Literal) and isinstance(key.value, bool | type(None)):
            # `null = 1` / `true = 1` keys are names, not values
            return Literal(key.line, key.end_line, "null" if key.value is None else str(key.value).lower())
        return key

    def function_call(self, c: list[Any]) -> FunctionCall:
        c = _meaningful(c)
        names = [str(x) for x in c if isinstance(x, Token) and x.type == "NAME"]
        args_node = next((x for x in c if isinstance(x, _Args)), None)
        name = "::".join(names)
        args = args_node.items if args_node else ()
        expand = args_node.expand if args_node else False
        return FunctionCall(c[0].line, c[-1].line, name, args, expand)

    def arguments(self, c: list[Any]) -> _Args:
        items = tuple(_nodes(c))
        expand = any(isinstance(x, Token) and x.type == "ELLIPSIS" for x in c)
        return _Args(items, expand)

    def index_expr_term(self, c: list[Any]) -> Index:
        obj, step = c[0], c[1]
        return Index(obj.line, step.end_line, obj, step.key)

    def get_attr_expr_term(self, c: list[Any]) -> GetAttr:
        obj, step = c[0], c[1]
        return GetAttr(obj.line, step.end_line, obj, step.name)

    def attr_splat_expr_term(self, c: list[Any]) -> Splat:
        obj, steps = c[0], c[1]
        end = steps[-1].end_line if steps else obj.end_line
        return Splat(obj.line, end, obj, tuple(SplatStep(s.name, s.key) for s in steps), False)

    def full_splat_expr_term(self, c: list[Any]) -> Splat:
        obj, steps = c[0], c[1]
        end = steps[-1].end_line if steps else obj.end_line
        return Splat(obj.line, end, obj, tuple(SplatStep(s.name, s.key) for s in steps), True)

    def braces_index(self, c: list[Any]) -> _Step:
        c = _meaningful(c)
        return _Step(None, c[1], c[0].line, c[-1].line)

    def short_index(self, c: list[Any]) -> _Step:
        tok = c[-1]
        return _Step(None, Literal(tok.line, tok.line, int(str(tok))), tok.line, tok.line)

    def get_attr(self, c: list[Any]) -> _Step:
        tok = c[-1]
        return _Step(str(tok), None, tok.line, tok.line)

    def attr_splat(self, c: list[Any]) -> list[_Step]:
        return [x for x in c[1:] if isinstance(x, _Step)]

    full_splat = attr_splat

    def for_intro(self, c: list[Any]) -> tuple[str | None, str, Expr]:
        names = [str(x) for x in c if isinstance(x, Token) and x.type == "NAME"]
        collection = _nodes(c)[0]
        if len(names) > 1:
            return names[0], names[1], collection
        return None, names[0], collection

    def for_cond(self, c: list[Any]) -> _Cond:
        return _Cond(_nodes(c)[0])

    def for_tuple_expr(self, c: list[Any]) -> ForExpr:
        c = _meaningful(c)
        key_var, value_var, collection = next(x for x in c if isinstance(x, tuple))
        exprs = _nodes(c)
        cond = next((x.expr for x in c if isinstance(x, _Cond)), None)
        return ForExpr(c[0].line, c[-1].line, key_var, value_var, collection, None, exprs[0], cond, False)

    def for_object_expr(self, c: list[Any]) -> ForExpr:
        c = _meaningful(c)
        key_var, value_var, collection = next(x for x in c if isinstance(x, tuple))
        exprs = _nodes(c)
        cond = next((x.expr for x in c if isinstance(x, _Cond)), None)
        grouping = any(isinstance(x, Token) and x.type == "ELLIPSIS" for x in c)
        return ForExpr(c[0].line, c[-1].line, key_var, value_var, collection, exprs[0], exprs[1], cond, grouping)


# the grammar's rules `tuple` and `object` would shadow the builtins inside the class body
_ToSyntax.tuple = _ToSyntax.tuple_rule  # type: ignore[attr-defined]
_ToSyntax.object = _ToSyntax.object_rule  # type: ignore[attr-defined]


@frozen
class _Args:
    items: tuple[Expr, ...]
    expand: bool


@frozen
class _Cond:
    expr: Expr


def _token_expr(tok: Token) -> Expr:
    line = _ln(tok)
    if tok.type == "TRUE":
        return Literal(line, line, True)
    if tok.type == "FALSE":
        return Literal(line, line, False)
    if tok.type == "NULL":
        return Literal(line, line, None)
    return Variable(line, line, str(tok))


@lru_cache(maxsize=2)
def _compiled(cache_file: str | None, expressions: NestedExpressions) -> Lark:
    grammar = Path(hcl2.__file__).with_name("hcl2.lark")
    return Lark.open(
        str(grammar),
        parser="lalr",
        lexer="contextual",
        postlex=PostLexer(),
        transformer=_ToSyntax(expressions),
        propagate_positions=False,
        maybe_placeholders=False,
        cache=cache_file or False,
    )


def _lark(expressions: NestedExpressions) -> Lark:
    """The grammar is only the fallback for what the fast parser rejects (mostly syntax errors)."""
    cache_file = None
    folder = expressions.grammar_cache
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cache_file = str(folder / f"hcl2-grammar-{hcl2.__version__}.lark-cache")
        except OSError:
            cache_file = None
    return _compiled(cache_file, expressions)


def _parse_text(text: str, expressions: NestedExpressions) -> Body:
    body: Body = _lark(expressions).parse(text)  # type: ignore[assignment]
    return body


def parse_with_grammar(text: str, expressions: NestedExpressions) -> Body:
    """HCL native syntax -> Body, as python-hcl2's grammar reads it; ``expressions`` reads
    the expressions of its heredocs. Raises HclSyntaxError with the line of the problem."""
    try:
        return _parse_text(text, expressions)
    except HclSyntaxError:
        raise
    except UnexpectedCharacters as exc:
        snippet = text.splitlines()[exc.line - 1].strip()[:80] if exc.line and exc.line > 0 else ""
        raise HclSyntaxError(
            exc.line, f"syntax error: unexpected character at column {exc.column} in {snippet!r}"
        ) from None
    except UnexpectedToken as exc:
        token = exc.token
        found = "end of file" if token.type == "$END" else repr(str(token).strip() or token.type)
        expected = ", ".join(sorted(exc.expected)[:6])
        raise HclSyntaxError(
            exc.line if exc.line and exc.line > 0 else 0,
            f"syntax error: unexpected {found} (expected one of: {expected})",
        ) from None
    except UnexpectedEOF:
        raise HclSyntaxError(text.count("\n"), "syntax error: unexpected end of file") from None
    except UnexpectedInput as exc:
        raise HclSyntaxError(getattr(exc, "line", 0) or 0, f"syntax error: {exc}") from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, HclSyntaxError):
            raise exc.orig_exc from None
        raise HclSyntaxError(0, f"syntax error: {exc.orig_exc}") from None
    except (LarkError, RecursionError) as exc:
        raise HclSyntaxError(0, f"syntax error: {type(exc).__name__}") from None
