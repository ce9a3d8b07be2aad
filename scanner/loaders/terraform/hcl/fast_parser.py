"""HCL native syntax -> the syntax tree of ``tree``, fast.

A hand-written lexer and recursive-descent parser builds the same tree as python-hcl2's LALR
grammar (``grammar``), which stays the reference: any text the fast parser does not accept
goes to the grammar, which gives the authoritative tree or syntax error. Nothing here
evaluates anything: see ``scanner.loaders.terraform.eval``.

Quoted strings and heredoc bodies arrive as one token; their ``${...}`` / ``%{...}`` parts
are cut out by ``templates`` and each expression is parsed the same way, then moved to its
real line. An ``HclReader`` is one such read: it carries the nesting depth across the
parsers of the nested interpolations, and the folder where the grammar keeps its tables.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from scanner.loaders.terraform.hcl import templates
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

# ---------------------------------------------------------------------------------------
# The fast path: a hand-written lexer and recursive-descent parser producing the same tree.
# python-hcl2's LALR grammar through Lark runs at ~0.4 MB/s; this runs several times faster.
# Anything it does not accept goes to the grammar, which then gives the authoritative result
# or error, so the grammar stays the reference for what is HCL.


class GrammarNeeded(Exception):
    """The fast parser does not accept this text; the grammar decides (it may be valid HCL)."""


class SureSyntaxError(HclSyntaxError):
    """An error the fast parser is sure the grammar would also report (an unclosed block or
    string, a character HCL has no use for, a token that cannot start or follow an item):
    reported at once, without building the grammar's tables (seconds per process)."""


MAX_NESTING = 64
"""Brackets, blocks and template interpolations nested deeper than this are refused (a clear
error at the line, fast) rather than parsed and evaluated by recursion. Real configurations
nest a dozen levels at most."""


# Whitespace before a token is part of its match (one match per token, not two). Branches
# are ordered by how often they occur; ``heredoc`` and ``bc`` come before ``op`` so "<<" and
# "/*" are not read as operators, and "/" followed by "/" is a comment (``nl``). A quoted
# string without interpolations is one ``qs`` match, read exactly as ``_string_end`` reads
# it (escapes skip a character, "$${" and "%%{" are text); any other opens at ``str`` and
# ``_string_end`` finds its end. ``bad`` is any other character, so the matches of
# ``finditer`` follow each other with nothing skipped.
_FAST_TOKEN = re.compile(
    r"""
    [ \t\r]*
    (?:
    (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<heredoc><<-?[A-Za-z][A-Za-z0-9._-]*\r?\n)
  | (?P<bc>/\*.*?\*/)
  | (?P<op>\.\.\.|\[\*\]|\.\*|::|=>|==|!=|<=|>=|&&|\|\||[{}\[\](),.=:?<>+\-*%!]|/(?!/))
  | (?P<nl>\n|\#[^\n]*(?:\n|\Z)|//[^\n]*(?:\n|\Z))
  | (?P<qs>"(?:[^"\\$%]|\\.|\$\$\{|%%\{|[$%](?!\{))*")
  | (?P<str>")
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<bad>[^ \t\r])
  )
""",
    re.VERBOSE | re.DOTALL,
)
_PLAIN_TOKENS = frozenset({"ident", "op", "num"})

# (kind, text, line, end_line); kinds: nl ident num str heredoc op eof
_Tok = tuple[str, str, int, int]

_BINARY_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", ">", "<=", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)
_PRECEDENCE = {op: level for level, ops in enumerate(_BINARY_LEVELS) for op in ops}
# a newline before one of these continues the expression (python-hcl2's post-lexer rule; not "-")
_CONTINUES = frozenset({"==", "!=", "<", ">", "<=", ">=", "*", "/", "%", "&&", "||", "+", "?"})
# tokens that can be a whole value, and operators after which a value is complete
_LONE_VALUE_TOKENS = frozenset({"str", "num", "ident"})
_VALUE_ENDS = frozenset({"}", ",", "]", ")"})


def _fast_tokens(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    append = tokens.append
    line = 1
    n = len(text)
    pos = 0
    while pos < n:
        # The matches run on from ``pos`` until a token whose end is found here (a string
        # with interpolations, a heredoc): then they start again after it.
        restart = n
        for m in _FAST_TOKEN.finditer(text, pos):
            kind = m.lastgroup or ""
            if kind in _PLAIN_TOKENS:
                append((kind, m.group(kind), line, line))
                continue
            value = m.group(kind)
            if kind == "nl":
                append(("nl", value, line, line))
                line += value.count("\n")
            elif kind == "qs":
                value = value[1:-1]
                count = value.count("\n")
                append(("str", value, line, line + count))
                line += count
            elif kind == "bc":
                count = value.count("\n")
                if count:
                    append(("nl", value, line, line + count))
                line += count
            elif kind == "str":
                start = m.end()
                end = _string_end(text, start, line)
                value = text[start:end]
                count = value.count("\n")
                append(("str", value, line, line + count))
                line += count
                restart = end + 1
                break
            elif kind == "heredoc":
                start = m.start(kind)
                name = value.lstrip("<-").rstrip("\r\n")
                close = re.compile(r"^[ \t]*" + re.escape(name) + r"\r?$", re.MULTILINE)
                found = close.search(text, m.end())
                if found is None:
                    raise GrammarNeeded(line)
                stop = found.end() + 1 if found.end() < n and text[found.end()] == "\n" else found.end()
                value = text[start:stop]
                if not value.endswith("\n"):
                    value += "\n"
                count = text.count("\n", start, stop)
                append(("heredoc", value, line, line + count))
                line += count
                restart = stop
                break
            else:  # bad
                if value != "\\":  # \"...\" is a template string in the grammar
                    raise SureSyntaxError(line, f"syntax error: unexpected character {value!r}")
                raise GrammarNeeded(line)
        pos = restart
    append(("eof", "", line, line))
    return tokens


def _string_end(text: str, i: int, line: int = 0) -> int:
    """Index of the quote closing a string whose content starts at ``i`` (on ``line``).
    A string may run over lines (the grammar allows it, Terraform does not)."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i
        if ch == "\\":
            i += 2
            continue
        if ch in "$%" and text.startswith(ch + "{", i + 1):
            i += 3  # $${ / %%{ is literal text
            continue
        if ch in "$%" and text.startswith("{", i + 1):
            close = templates.find_close(text, i + 2)
            if close < 0:
                raise SureSyntaxError(line, "syntax error: a string's interpolation is not closed")
            i = close + 1
            continue
        i += 1
    raise SureSyntaxError(line, "syntax error: string not closed before the end of the file")


class _FastParser:
    def __init__(self, tokens: list[_Tok], reader: HclReader) -> None:
        self.toks = tokens
        self.i = 0
        self.reader = reader

    # --- token helpers ---
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.toks[self.i]
        if tok[1] != text or tok[0] not in ("op", "ident"):
            raise GrammarNeeded(tok[2])
        self.i += 1
        return tok

    def skip_nl(self) -> None:
        while self.toks[self.i][0] == "nl":
            self.i += 1

    def at(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok[1] == text and tok[0] == "op"

    # --- structure ---
    def body(self, closing: bool, opened: int = 0) -> Body:
        if closing:
            self.reader.enter(self.peek()[2])
        try:
            return self._body(closing, opened)
        finally:
            if closing:
                self.reader.depth -= 1

    def _body(self, closing: bool, opened: int) -> Body:
        items: list[Attribute | Block] = []
        while True:
            self.skip_nl()
            tok = self.peek()
            if tok[0] == "eof":
                if closing:
                    raise SureSyntaxError(
                        max(tok[2] - 1, 1),
                        f"syntax error: unexpected end of file (the block opened at line {opened} is not closed)",
                    )
                break
            if closing and tok[0] == "op" and tok[1] == "}":
                break
            items.append(self.item())
        if items:
            return Body(items[0].line, items[-1].end_line, tuple(items))
        return Body(0, 0, ())

    def item(self) -> Attribute | Block:
        name = self.take()
        if name[0] != "ident":
            raise SureSyntaxError(
                name[2], f"syntax error: unexpected {_describe(name)} (expected an attribute or a block)"
            )
        nxt = self.peek()
        if nxt[0] == "op" and nxt[1] == "=":
            self.i += 1
            expr = self.expression()
            self.end_of_item()
            return Attribute(name[2], expr.end_line, name[1], expr)
        labels: list[str] = []
        while True:
            tok = self.take()
            if tok[0] == "ident":
                labels.append(tok[1])
            elif tok[0] == "str":
                if "${" in tok[1] or "%{" in tok[1]:
                    raise GrammarNeeded(tok[2])
                labels.append(unescape(tok[1]))
            elif tok[0] == "op" and tok[1] == "{":
                break
            elif tok[0] == "nl":
                self.skip_nl()
                if not self.at("{"):
                    raise SureSyntaxError(
                        self.peek()[2],
                        f"syntax error: unexpected {_describe(self.peek())} "
                        f"(expected '{{' to open the block {name[1]})",
                    )
            elif tok[0] in ("op", "num", "heredoc", "eof"):
                raise SureSyntaxError(
                    tok[2], f"syntax error: unexpected {_describe(tok)} in the header of block {name[1]}"
                )
            else:
                raise GrammarNeeded(tok[2])
        body = self.body(closing=True, opened=name[2])
        close = self.expect("}")
        self.end_of_item()
        return Block(name[2], close[2], name[1], tuple(labels), body)

    def end_of_item(self) -> None:
        tok = self.peek()
        if tok[0] in ("nl", "eof") or (tok[0] == "op" and tok[1] == "}") or self.toks[self.i - 1][0] == "heredoc":
            return
        if tok[0] == "op":  # the value is complete and no operator continues it here
            raise SureSyntaxError(tok[2], f"syntax error: unexpected {_describe(tok)} after a value")
        raise GrammarNeeded(tok[2])  # another item may follow on the same line in the grammar

    # --- expressions ---
    def expression(self) -> Expr:
        tok = self.toks[self.i]
        if tok[0] in _LONE_VALUE_TOKENS and self.reader.depth < MAX_NESTING:
            lone = self._lone_value(tok)
            if lone is not None:
                return lone
        self.reader.enter(tok[2])
        try:
            return self._expression()
        finally:
            self.reader.depth -= 1

    def _lone_value(self, tok: _Tok) -> Expr | None:
        """Most values are one token that nothing continues (a number, a plain string, a
        name, then a newline, a comma or a closing bracket): the same tree as the descent
        through binary, unary, postfix and primary builds, without it. None: not such a
        value, the descent reads it."""
        kind, text, line, end = tok
        toks = self.toks
        nxt = toks[self.i + 1]
        if nxt[0] == "nl":
            j = self.i + 2
            while toks[j][0] == "nl":
                j += 1
            ahead = toks[j]
            if ahead[0] == "op" and ahead[1] in _CONTINUES:  # an operator on the next line continues it
                return None
        elif not (nxt[0] == "eof" or (nxt[0] == "op" and nxt[1] in _VALUE_ENDS)):
            return None
        value: Expr
        if kind == "str":
            if "${" in text or "%{" in text:
                return None
            value = Literal(line, end, unescape(text))  # what primary's template reading gives
        elif kind == "num":
            if "." in text or "e" in text or "E" in text:
                return None
            value = Literal(line, line, int(text))
        elif text == "true" or text == "false" or text == "null":
            value = Literal(line, line, True if text == "true" else False if text == "false" else None)
        else:
            value = Variable(line, line, text)
        self.i += 1
        return value

    def _expression(self) -> Expr:
        cond = self.binary(0)
        if self._continue_with("?"):
            self.i += 1
            self.skip_nl()
            true_value = self.expression()
            self.skip_nl()
            self.expect(":")
            self.skip_nl()
            false_value = self.expression()
            return Conditional(cond.line, false_value.end_line, cond, true_value, false_value)
        return cond

    def _continue_with(self, *ops: str) -> bool:
        """Is the next operator one of ``ops``, possibly after newlines that it continues?"""
        j = self.i
        toks = self.toks
        tok = toks[j]
        if tok[0] == "op" and tok[1] in ops:
            return True
        if tok[0] != "nl":
            return False
        while toks[j][0] == "nl":
            j += 1
        tok = toks[j]
        if tok[0] == "op" and tok[1] in ops and tok[1] in _CONTINUES:
            self.i = j
            return True
        return False

    def binary(self, min_level: int) -> Expr:
        """Precedence climbing over _BINARY_LEVELS (all left-associative)."""
        left = self.unary()
        toks = self.toks
        while True:
            tok = toks[self.i]
            if tok[0] == "op":
                level = _PRECEDENCE.get(tok[1], -1)
            elif tok[0] == "nl":
                j = self.i
                while toks[j][0] == "nl":
                    j += 1
                ahead = toks[j]
                level = _PRECEDENCE.get(ahead[1], -1) if ahead[0] == "op" and ahead[1] in _CONTINUES else -1
                if level >= min_level:
                    self.i = j
            else:
                return left
            if level < min_level:
                return left
            op = self.take()[1]
            self.skip_nl()
            right = self.binary(level + 1)
            left = BinaryOp(left.line, right.end_line, op, left, right)

    def unary(self) -> Expr:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("-", "!"):
            self.i += 1
            operand = self.postfix()
            return UnaryOp(tok[2], operand.end_line, tok[1], operand)
        return self.postfix()

    def postfix(self) -> Expr:
        expr = self.primary()
        toks = self.toks
        while True:
            tok = toks[self.i]
            if tok[0] != "op":
                return expr
            op = tok[1]
            if op == ".":
                self.i += 1
                name = self.take()
                if name[0] == "ident":
                    expr = GetAttr(expr.line, name[2], expr, name[1])
                elif name[0] == "num" and name[1].isdigit():
                    expr = Index(expr.line, name[2], expr, Literal(name[2], name[2], int(name[1])))
                else:
                    raise GrammarNeeded(name[2])
            elif op == "[":
                self.i += 1
                self.skip_nl()
                key = self.expression()
                self.skip_nl()
                close = self.expect("]")
                expr = Index(expr.line, close[2], expr, key)
            elif op in (".*", "[*]"):
                self.i += 1
                steps: list[SplatStep] = []
                end = expr.end_line
                while True:
                    nxt = toks[self.i]
                    if nxt[0] == "op" and nxt[1] == ".":
                        name = toks[self.i + 1]
                        self.i += 2
                        if name[0] == "ident":
                            steps.append(SplatStep(name[1], None))
                        elif name[0] == "num" and name[1].isdigit():
                            steps.append(SplatStep(None, Literal(name[2], name[2], int(name[1]))))
                        else:
                            raise GrammarNeeded(name[2])
                        end = name[2]
                    elif nxt[0] == "op" and nxt[1] == "[":
                        self.i += 1
                        self.skip_nl()
                        key = self.expression()
                        self.skip_nl()
                        end = self.expect("]")[2]
                        steps.append(SplatStep(None, key))
                    else:
                        break
                expr = Splat(expr.line, end, expr, tuple(steps), op == "[*]")
            else:
                return expr

    def primary(self) -> Expr:
        tok = self.take()
        kind, text, line, end = tok
        if kind == "num":
            if "." in text or "e" in text or "E" in text:
                number = float(text)
                return Literal(line, line, int(number) if number.is_integer() and abs(number) < 2**53 else number)
            return Literal(line, line, int(text))
        if kind == "str":
            parsed = templates.parse_template(text, line, self.reader.parse_expression, escapes=True)
            return dataclasses.replace(parsed, line=line, end_line=end)
        if kind == "heredoc":
            return templates.heredoc_text(text, line, text.startswith("<<-"), self.reader.parse_expression)
        if kind == "ident":
            if text == "true":
                return Literal(line, line, True)
            if text == "false":
                return Literal(line, line, False)
            if text == "null":
                return Literal(line, line, None)
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] in ("(", "::"):
                return self.call(tok)
            return Variable(line, line, text)
        if kind == "op":
            if text == "(":
                self.skip_nl()
                inner = self.expression()
                self.skip_nl()
                close = self.expect(")")
                return Parens(line, close[2], inner)
            if text == "[":
                self.skip_nl()
                if self.peek()[:2] == ("ident", "for"):
                    return self.for_expr(tok, "]")
                return self.tuple_expr(tok)
            if text == "{":
                self.skip_nl()
                if self.peek()[:2] == ("ident", "for"):
                    return self.for_expr(tok, "}")
                return self.object_expr(tok)
        raise GrammarNeeded(line)

    def call(self, name_tok: _Tok) -> FunctionCall:
        names = [name_tok[1]]
        while self.at("::"):
            self.i += 1
            part = self.take()
            if part[0] != "ident":
                raise GrammarNeeded(part[2])
            names.append(part[1])
        if len(names) not in (1, 3):
            raise GrammarNeeded(name_tok[2])
        self.expect("(")
        args: list[Expr] = []
        expand = False
        self.skip_nl()
        while not self.at(")"):
            args.append(self.expression())
            self.skip_nl()
            if self.at(","):
                self.i += 1
                self.skip_nl()
            elif self.at("..."):
                self.i += 1
                expand = True
                self.skip_nl()
                break
            else:
                break
        close = self.expect(")")
        return FunctionCall(name_tok[2], close[2], "::".join(names), tuple(args), expand)

    def tuple_expr(self, open_tok: _Tok) -> TupleExpr:
        items: list[Expr] = []
        while not self.at("]"):
            items.append(self.expression())
            self.skip_nl()
            if self.at(","):
                self.i += 1
                self.skip_nl()
            elif not self.at("]"):
                raise GrammarNeeded(self.peek()[2])
        close = self.expect("]")
        return TupleExpr(open_tok[2], close[2], tuple(items))

    def object_expr(self, open_tok: _Tok) -> ObjectExpr:
        items: list[ObjectItem] = []
        while not self.at("}"):
            key_tok = self.peek()
            if (
                key_tok[0] == "ident"
                and key_tok[1] in ("for", "in", "if", "else", "endif", "endfor", "for_each")
                and self.toks[self.i + 1][1] in ("=", ":")
            ):
                self.i += 1
                key: Expr = Literal(key_tok[2], key_tok[2], key_tok[1])
            else:
                key = _object_key(self.expression())
            sep = self.take()
            if sep[0] != "op" or sep[1] not in ("=", ":"):
                raise GrammarNeeded(sep[2])
            value = self.expression()
            items.append(ObjectItem(key.line, value.end_line, key, value))
            tok = self.peek()
            if tok[0] == "op" and tok[1] == ",":
                self.i += 1
                self.skip_nl()
            elif tok[0] == "nl":
                self.skip_nl()
            elif not (tok[0] == "op" and tok[1] == "}") and self.toks[self.i - 1][0] != "heredoc":
                raise GrammarNeeded(tok[2])
        close = self.expect("}")
        return ObjectExpr(open_tok[2], close[2], tuple(items))

    def for_expr(self, open_tok: _Tok, closing: str) -> ForExpr:
        self.take()  # for
        self.skip_nl()
        first = self.take()
        if first[0] != "ident":
            raise GrammarNeeded(first[2])
        key_var: str | None = None
        value_var = first[1]
        if self.at(","):
            self.i += 1
            second = self.take()
            if second[0] != "ident":
                raise GrammarNeeded(second[2])
            key_var, value_var = first[1], second[1]
        self.skip_nl()
        if self.take()[:2] != ("ident", "in"):
            raise GrammarNeeded(first[2])
        self.skip_nl()
        collection = self.expression()
        self.skip_nl()
        self.expect(":")
        self.skip_nl()
        key_expr: Expr | None = None
        value_expr = self.expression()
        grouping = False
        if closing == "}":
            self.skip_nl()
            self.expect("=>")
            self.skip_nl()
            key_expr, value_expr = value_expr, self.expression()
            self.skip_nl()
            if self.at("..."):
                self.i += 1
                grouping = True
        self.skip_nl()
        condition: Expr | None = None
        if self.peek()[:2] == ("ident", "if"):
            self.i += 1
            self.skip_nl()
            condition = self.expression()
            self.skip_nl()
        close = self.expect(closing)
        return ForExpr(open_tok[2], close[2], key_var, value_var, collection, key_expr, value_expr, condition, grouping)


def _describe(tok: _Tok) -> str:
    if tok[0] == "eof":
        return "end of file"
    if tok[0] == "nl":
        return "new line"
    return repr(tok[1] if tok[0] != "str" else '"' + tok[1][:20])


def _object_key(key: Expr) -> Expr:
    if isinstance(key, Variable):
        return Literal(key.line, key.end_line, key.name)
    if isinstance(key, Literal) and isinstance(key.value, bool | type(None)):
        return Literal(key.line, key.end_line, "null" if key.value is None else str(key.value).lower())
    return key


# ---------------------------------------------------------------------------------------
# One read


class HclReader:
    """One read of HCL text: what the parser of the text and the parsers of the template
    interpolations inside it share. ``depth`` is the nesting so far, counted across them (so
    a hostile text cannot nest deeper through its interpolations); ``grammar_cache`` is the
    folder where the grammar keeps its LALR tables (seconds to build; None: rebuilt when
    needed, and nothing is written anywhere)."""

    def __init__(self, grammar_cache: Path | None = None) -> None:
        self.grammar_cache = grammar_cache
        self.depth = 0

    def enter(self, line: int) -> None:
        """One level deeper, refused past MAX_NESTING (the parser lowers ``depth`` again when
        it comes back up)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.depth -= 1
            raise SureSyntaxError(line, f"syntax error: nested more than {MAX_NESTING} levels deep (the limit)")

    def parse_hcl(self, text: str) -> Body:
        """HCL native syntax -> Body. Raises HclSyntaxError with the line of the problem."""
        if text.startswith("\ufeff"):
            text = text[1:]
        if not text.endswith("\n"):
            text += "\n"  # comments and heredoc markers end with a newline in the grammar
        try:
            return self.fast_parse(text)
        except SureSyntaxError:
            raise
        except (GrammarNeeded, HclSyntaxError, RecursionError, IndexError, ValueError):
            return self.parse_with_grammar(text)

    def fast_parse(self, text: str) -> Body:
        """The fast parser alone: raises GrammarNeeded (or another error the grammar would
        judge) for a text it does not accept, SureSyntaxError for one that is not HCL."""
        parser = _FastParser(_fast_tokens(text), self)
        depth = self.depth
        try:
            return parser.body(closing=False)
        finally:
            self.depth = depth

    def parse_with_grammar(self, text: str) -> Body:
        """python-hcl2's grammar decides (imported only here: most scans never need it)."""
        from scanner.loaders.terraform.hcl import grammar

        return grammar.parse_with_grammar(text, grammar.NestedExpressions(parse_expression, self.grammar_cache))

    def parse_expression(self, text: str, line: int) -> Expr:
        """One expression written at ``line`` (a heredoc interpolation, a .tf.json string, a --var value)."""
        source = "__x = " + text.strip() + "\n"
        try:
            body = self.fast_parse(source)
        except SureSyntaxError as exc:
            raise SureSyntaxError(line + max(exc.line, 1) - 1, exc.message) from None
        except (GrammarNeeded, HclSyntaxError, RecursionError, IndexError, ValueError):
            try:
                body = self.parse_with_grammar(source)
            except HclSyntaxError as exc:
                raise HclSyntaxError(line + max(exc.line, 1) - 1, exc.message) from None
        attrs = [x for x in body.items if isinstance(x, Attribute)]
        if len(attrs) != 1 or len(body.items) != 1:
            raise HclSyntaxError(line, f"not a single expression: {text.strip()[:60]!r}")
        shifted: Expr = _shift(attrs[0].expr, line - 1)
        return shifted

    def parse_template(self, text: str, first_line: int, escapes: bool = False) -> Literal | Template:
        """A template body (a quoted string's, a heredoc's, a .tf.json string) -> Literal or
        Template, its expressions read by this reader."""
        return templates.parse_template(text, first_line, self.parse_expression, escapes)


def _shift(node: Any, offset: int) -> Any:
    """``node`` and everything in it moved ``offset`` lines down."""
    if offset == 0:
        return node
    if isinstance(node, tuple):
        return tuple(_shift(x, offset) for x in node)
    if isinstance(node, (Node, SplatStep)):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in ("line", "end_line"):
                changes[f.name] = value + offset
            elif isinstance(value, (Node, SplatStep, tuple)):
                changes[f.name] = _shift(value, offset)
        return dataclasses.replace(node, **changes)
    return node


# ---------------------------------------------------------------------------------------
# Entry points: each a new read


def parse_hcl(text: str, grammar_cache: Path | None = None) -> Body:
    """HCL native syntax -> Body. Raises HclSyntaxError with the line of the problem."""
    return HclReader(grammar_cache).parse_hcl(text)


def parse_expression(text: str, line: int, grammar_cache: Path | None = None) -> Expr:
    """One expression written at ``line`` (a heredoc interpolation, a .tf.json string, a --var value)."""
    return HclReader(grammar_cache).parse_expression(text, line)


def parse_template(
    text: str, first_line: int, escapes: bool = False, grammar_cache: Path | None = None
) -> Literal | Template:
    """A template body (heredoc content, a .tf.json string, a templatefile) -> Literal or Template
    (``"${x}"`` is a Template of one part; evaluating it yields x itself, of any type)."""
    return HclReader(grammar_cache).parse_template(text, first_line, escapes)


def fast_parse(text: str) -> Body:
    """The fast parser alone (see ``HclReader.fast_parse``): what tests compare with the grammar."""
    return HclReader().fast_parse(text)


def parse_with_grammar(text: str, grammar_cache: Path | None = None) -> Body:
    """python-hcl2's grammar alone, the reference for what is HCL."""
    return HclReader(grammar_cache).parse_with_grammar(text)
