"""HCL text -> syntax tree: node kinds and the lines they were written on."""

from __future__ import annotations

import pytest

from scanner.loaders.terraform import hcl as syn


def only_attr(text: str) -> syn.Attribute:
    body = syn.parse_hcl(text)
    (item,) = body.items
    assert isinstance(item, syn.Attribute)
    return item


def test_blocks_and_attributes_carry_lines() -> None:
    text = (
        '# leading comment\nresource "aws_instance" "web" {\n  ami = "x"\n\n  root_block_device {\n'
        "    volume_size = 8\n  }\n}\n"
    )
    body = syn.parse_hcl(text)
    (block,) = body.blocks
    assert (block.type, block.labels, block.line, block.end_line) == ("resource", ("aws_instance", "web"), 2, 8)
    ami = block.body.attributes["ami"]
    assert (ami.line, ami.end_line) == (3, 3)
    (nested,) = block.body.blocks_of("root_block_device")
    assert (nested.line, nested.end_line) == (5, 7)
    assert nested.body.attributes["volume_size"].line == 6


def test_multi_line_values_span_all_their_lines() -> None:
    attr = only_attr('x = [\n  "a",\n  "b",\n]\n')
    assert (attr.line, attr.end_line) == (1, 4)
    assert isinstance(attr.expr, syn.TupleExpr)
    assert [item.line for item in attr.expr.items] == [2, 3]
    obj = only_attr('tags = {\n  Name = "web"\n  "Env" : "prod"\n}\n').expr
    assert isinstance(obj, syn.ObjectExpr)
    assert [(i.key, i.line) for i in obj.items] == [(syn.Literal(2, 2, "Name"), 2), (syn.Literal(3, 3, "Env"), 3)]


def test_expressions() -> None:
    expr = only_attr("x = var.a > 2 ? aws_instance.web[0].id : -1\n").expr
    assert isinstance(expr, syn.Conditional)
    assert isinstance(expr.condition, syn.BinaryOp) and expr.condition.op == ">"
    assert isinstance(expr.true_value, syn.GetAttr) and expr.true_value.name == "id"
    assert isinstance(expr.true_value.obj, syn.Index)
    assert isinstance(expr.false_value, syn.UnaryOp)
    splat = only_attr("x = aws_subnet.public[*].id\n").expr
    assert isinstance(splat, syn.Splat) and splat.full and splat.steps == (syn.SplatStep("id", None),)
    legacy = only_attr("x = aws_subnet.public.*.id\n").expr
    assert isinstance(legacy, syn.Splat) and not legacy.full
    call = only_attr("x = concat(a, b...)\n").expr
    assert isinstance(call, syn.FunctionCall) and call.name == "concat" and call.expand_final
    assert isinstance(only_attr("x = provider::aws::arn_parse(y)\n").expr, syn.FunctionCall)
    for_obj = only_attr("x = { for k, v in m : k => v... if v != null }\n").expr
    assert isinstance(for_obj, syn.ForExpr)
    assert (for_obj.key_var, for_obj.value_var, for_obj.grouping) == ("k", "v", True)
    assert for_obj.condition is not None
    precedence = only_attr("x = 1 + 2 * 3\n").expr
    assert isinstance(precedence, syn.BinaryOp) and precedence.op == "+"
    assert isinstance(precedence.right, syn.BinaryOp) and precedence.right.op == "*"
    continued = only_attr("x = a &&\n  b\n")
    assert (continued.line, continued.end_line) == (1, 2)


def test_string_templates() -> None:
    assert only_attr('x = "plain \\"quoted\\" \\n"\n').expr == syn.Literal(1, 1, 'plain "quoted" \n')
    template = only_attr('x = "a-${var.b}-$${literal}"\n').expr
    assert isinstance(template, syn.Template)
    assert template.parts[0] == "a-" and template.parts[2] == "-${literal}"
    directive = only_attr('x = "%{ if a }yes%{ else }no%{ endif }"\n').expr
    assert isinstance(directive, syn.Template)
    (branch,) = directive.parts
    assert isinstance(branch, syn.TemplateIf)
    assert branch.then_parts == ("yes",) and branch.else_parts == ("no",)


def test_heredocs() -> None:
    attr = only_attr("x = <<-EOT\n    hello ${name}\n      indented\n    EOT\n")
    assert (attr.line, attr.end_line) == (1, 4)
    assert isinstance(attr.expr, syn.Template)
    assert attr.expr.parts[0] == "hello "
    assert isinstance(attr.expr.parts[1], syn.Variable) and attr.expr.parts[1].line == 2
    assert attr.expr.parts[2] == "\n  indented\n"
    plain = only_attr("x = <<EOF\n  keep\nEOF\n").expr
    assert plain == syn.Literal(1, 3, "  keep\n")
    loop = only_attr("x = <<EOF\n%{ for p in ports ~}\n${p}\n%{ endfor ~}\nEOF\n").expr
    assert isinstance(loop, syn.Template) and isinstance(loop.parts[0], syn.TemplateFor)


def test_crlf_and_missing_final_newline() -> None:
    body = syn.parse_hcl('a = 1\r\nb = "x" # trailing comment')
    assert [(a.name, a.line) for a in body.items if isinstance(a, syn.Attribute)] == [("a", 1), ("b", 2)]


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(syn.HclSyntaxError) as caught:
        syn.parse_hcl("a = 1\nb = {\n  c = \n}\n")
    assert caught.value.line == 3
    assert "syntax error" in caught.value.message
    with pytest.raises(syn.HclSyntaxError):
        syn.parse_hcl('resource "x" "y" {\n')


def test_json_syntax_keeps_lines_and_templates() -> None:
    text = (
        '{\n  "resource": {\n    "aws_instance": {\n      "web": {\n        "ami": "${var.ami}",\n'
        '        "metadata_options": {\n          "http_tokens": "optional"\n        }\n      }\n    }\n  }\n}\n'
    )
    body = syn.parse_hcl_json(text)
    (block,) = body.blocks
    assert (block.type, block.labels, block.line, block.end_line) == ("resource", ("aws_instance", "web"), 4, 9)
    ami = block.body.attributes["ami"]
    assert ami.line == 5 and isinstance(ami.expr, syn.Template) and isinstance(ami.expr.parts[0], syn.GetAttr)
    (metadata,) = block.body.blocks_of("metadata_options")
    assert metadata.body.attributes["http_tokens"].line == 7
    with pytest.raises(syn.HclSyntaxError) as caught:
        syn.parse_hcl_json('{\n  "a": [1,\n}\n')
    assert caught.value.line == 3


def test_parse_expression_puts_nodes_on_the_given_line() -> None:
    expr = syn.parse_expression("var.a + 1", 12)
    assert isinstance(expr, syn.BinaryOp) and expr.line == 12 and expr.left.line == 12


TRICKY = [
    "a = x.y[0].z\n",
    "a = aws_eks_node_group.this[0].resources[*].autoscaling_groups[*].name\n",
    "a = var.list.*.id[0]\n",
    "a = {\n  b = <<-EOT\n    x\n  EOT\n  c = 1\n}\n",
    "a = [\n  1,\n  2\n]\nb = (\n  1 + 2\n)\n",
    "a = x ? y : z\nb = x\n  ? y\n  : z\n",
    "a = var.a == null ? true : var.a >= 6 || var.a == 0\n",
    'a = "${var.a}-%{ if b }c%{ endif }-$${d}"\n',
    'a = { for k, v in m : k => v if v != "" }\nb = [for x in l : x]\n',
    'a = { "k" : 1, in = 2, (var.k) = 3 }\n',
    "a = provider::aws::arn_parse(x)\nb = f(1, 2,\n  3)\nc = g(l...)\n",
    "a = -1\nb = !c\nd = 1.5e3\ne = 7 % 3 - 1\n",
    'block "l1" l2 {\n  nested { x = 1 }\n}\n',
    "# comment\n// another\n/* block\ncomment */\na = 1 /* inline */\n",
    # strings the lexer reads whole, and strings whose end it leaves to the interpolation reader
    'a = "$${x} %%{y} \\"q\\" x\\\\"\n',
    'a = "a$"\nb = "%"\nc = "$$"\nd = ""\n',
    'a = "x$%{ if true }y%{ endif }"\n',
    'a = "${f("}")}"\nb = "z"\n',
    # values of one token, and values an operator continues
    'a = [\n  "x",\n  true,\n  null,\n  7\n]\n',
    "a = b\n  + c\nd = e\nf = 4 / 2\ng = x // comment\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_parser_matches_the_grammar(text: str) -> None:
    assert syn.fast_parse(text) == syn.parse_with_grammar(text)


def test_newline_inside_an_interpolation_parses() -> None:
    # Terraform accepts this; python-hcl2's grammar does not
    attr = only_attr('a = "x-${\n  upper(b)\n}"\n')
    assert isinstance(attr.expr, syn.Template) and isinstance(attr.expr.parts[1], syn.FunctionCall)
    assert attr.expr.parts[1].line == 2
