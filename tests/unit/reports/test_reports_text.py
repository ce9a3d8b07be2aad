"""The terminal report: grouped by workload, file:line per trait, path, fix, summary."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from scanner.findings import Configuration, LoadError, ScanResult
from scanner.reports.text import render_text, summary_line
from tests.support.reports_sample import sample_result


def rendered(result: ScanResult, show_suppressed: bool = True) -> str:
    console = Console(width=300, record=True, force_terminal=False, color_system=None)
    render_text(result, console, show_suppressed=show_suppressed)
    return console.export_text()


def test_traits_with_file_and_line_grouped_by_workload(tmp_path: Path) -> None:
    text = rendered(sample_result(tmp_path))
    lines = text.splitlines()
    web = next(i for i, line in enumerate(lines) if "CRITICAL" in line)
    assert "aws_instance.web" in lines[web] and "app/main.tf:1" in lines[web]
    block = lines[web : lines.index("", web)]
    assert any(
        "ec2-imdsv1" in line and "app/main.tf:4" in line and "legacy agent needs IMDSv1" in line for line in block
    )
    assert any("ec2-admin-role" in line and "app/main.tf:14" in line for line in block)
    start = next(i for i, line in enumerate(block) if line.strip() == "path:")
    path = [line.strip() for line in block[start + 1 :] if line.strip().startswith(("internet", "->"))]
    assert path[:2] == ["internet", "-> aws_internet_gateway.main (app/main.tf:22)"]
    assert "-> aws_security_group.web.ingress[0] (app/main.tf:10) [tcp 443]" in path
    assert path[-1] == "-> aws_iam_role_policy_attachment.admin (app/main.tf:14)"
    assert "ec2-remote-access" not in "\n".join(block)  # that trait belongs to another workload
    severities = [
        word for line in lines for word in ("CRITICAL", "HIGH", "MEDIUM", "LOW") if line.startswith(f" {word} ")
    ]
    assert severities == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "LOW"]


def test_best_fix_and_errors_shown(tmp_path: Path) -> None:
    text = rendered(sample_result(tmp_path))
    assert 'best fix: app/main.tf:4 set http_tokens = "required" on aws_instance.web (critical -> high)' in text
    assert "then:     app/main.tf:10 remove the rule allowing tcp 443" in text
    assert "(critical -> medium; stops the public service on tcp 443)" in text
    assert "stack/broken.yaml:3: YAML syntax error" in text  # found by discovery
    assert "app/variables.tf:2: unterminated string" in text  # kept by its configuration
    assert "suppressed: no reason given" in text


def test_warnings_shown_at_their_line_and_not_as_unread_files(tmp_path: Path) -> None:
    result = sample_result(tmp_path)
    result.configurations[1].warnings.append(LoadError("stack/template.yaml", 7, "key 'CidrIp' repeats line 6"))
    text = rendered(result)
    assert "warning: stack/template.yaml:7: key 'CidrIp' repeats line 6" in text
    lines = text.splitlines()
    start = lines.index("Could not read:")
    unread = lines[start + 1 : lines.index("", start)]
    assert unread == [
        "  app/variables.tf:2: unterminated string",
        "  stack/broken.yaml:3: YAML syntax error: unclosed flow sequence",
    ]
    assert summary_line(result).endswith("2 files could not be read")


def test_summary_line(tmp_path: Path) -> None:
    result = sample_result(tmp_path)
    expected = (
        "4 exposures (1 critical, 1 high, 1 medium, 1 low) in 2 configurations; 1 suppressed; 2 files could not be read"
    )
    assert summary_line(result) == expected
    assert rendered(result).rstrip().splitlines()[-1] == expected


def test_summary_singular_and_plural(tmp_path: Path) -> None:
    result = sample_result(tmp_path)
    result.exposures = [e for e in result.exposures if e.severity.label in ("critical", "high")]
    result.errors.append(LoadError("b.tf", 0, "unreadable"))
    result.errors.append(LoadError("b.tf", 2, "bad"))
    result.configurations[0].errors.append(LoadError("c.tf", 1, "bad"))
    assert summary_line(result) == "2 exposures (1 critical, 1 high) in 2 configurations; 4 files could not be read"
    empty = ScanResult(root=tmp_path, configurations=[Configuration(name="x", kind="terraform")])
    assert summary_line(empty) == "0 exposures in 1 configuration"
    assert rendered(empty).strip() == "0 exposures in 1 configuration"


def test_suppressed_findings_hidden_unless_asked(tmp_path: Path) -> None:
    result = sample_result(tmp_path)
    hidden = rendered(result, show_suppressed=False)
    assert "AppServer" not in hidden  # every trait suppressed: the whole exposure
    assert "legacy agent needs IMDSv1" not in hidden and "ec2-imdsv1                     app/main.tf:4" not in hidden
    assert "(1 suppressed trait not shown: --show-suppressed)" in hidden
    assert "ec2-admin-role" in hidden  # the rest of that exposure stays
    assert hidden.rstrip().splitlines()[-1] == summary_line(result)
    shown = rendered(result, show_suppressed=True)
    assert "AppServer" in shown and "legacy agent needs IMDSv1" in shown
