"""The result cache: an unchanged configuration is answered without loading it, and any
change to an input it read (a .tf file, a new file beside them, a child module, a file()
target, a tfvars file, a template, an option) makes it load again, giving what a scan
without any cache gives."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner import result_cache
from scanner import scan as scan_module
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.scan import scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures"

MAIN_TF = """\
variable "ssh_cidr" {
  default = "10.0.0.0/8"
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}
module "web" {
  source             = "./modules/web"
  subnet_id          = aws_subnet.public.id
  security_group_ids = [aws_security_group.ssh.id]
}
"""

WEB_MODULE_TF = """\
variable "subnet_id" {}
variable "security_group_ids" {}
resource "aws_iam_role" "web" {
  name               = "web"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "web" {
  role   = aws_iam_role.web.id
  policy = file("${path.module}/policy.json")
}
resource "aws_iam_instance_profile" "web" {
  role = aws_iam_role.web.name
}
resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = var.security_group_ids
  iam_instance_profile   = aws_iam_instance_profile.web.name
  metadata_options {
    http_tokens = "required"
  }
}
"""

READ_ONLY_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
)


def make_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "infra" / "modules" / "web").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text(MAIN_TF)
    (root / "infra" / "README.md").write_text("The web tier.\n")
    (root / "infra" / "modules" / "web" / "main.tf").write_text(WEB_MODULE_TF)
    (root / "infra" / "modules" / "web" / "policy.json").write_text(READ_ONLY_POLICY)
    (root / "cfn").mkdir()
    shutil.copy(FIXTURES / "exposure" / "reachable-open-group-only" / "template.yaml", root / "cfn")
    return root


class CountingLoads:
    """Counts the load jobs that really run (not answered by the result cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kinds: list[str] = []
        real = scan_module.run_load_job

        def counting(job: LoadJob, options: ScanOptions, *rest: object) -> list[scan_module.Configuration]:
            self.kinds.append(job.kind)
            return real(job, options, *rest)  # rest: the scan's parsed Terraform files

        monkeypatch.setattr(scan_module, "run_load_job", counting)


def scan_json(root: Path, cache: Path | None, **options: object) -> str:
    return render_json(scan([root], ScanOptions(root=root, cache_dir=cache, jobs=1, **options)))  # type: ignore[arg-type]


def test_an_unchanged_repository_is_answered_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    loads = CountingLoads(monkeypatch)
    first = scan_json(root, cache)
    assert sorted(loads.kinds) == ["cloudformation", "terraform"]
    assert list((cache / "results").rglob("*.result")), "the first scan stores each job's result"
    loads.kinds.clear()
    (root / "infra" / "README.md").write_text("Edited, but no configuration reads it.\n")
    second = scan_json(root, cache)
    assert loads.kinds == []
    assert second == first
    assert '"exposures": [\n    {' in first, "the repository has findings to compare"


EDITS: dict[str, Callable[[Path], None]] = {
    "a .tf file of the root module": lambda root: (root / "infra" / "main.tf").write_text(
        MAIN_TF.replace('default = "10.0.0.0/8"', 'default = "0.0.0.0/0"')
    ),
    "a new tfvars file beside them": lambda root: (root / "infra" / "terraform.tfvars").write_text(
        'ssh_cidr = "0.0.0.0/0"\n'
    ),
    "a new .tf file in a child module": lambda root: (root / "infra" / "modules" / "web" / "extra.tf").write_text(
        'resource "aws_instance" "extra" {\n  ami = "ami-12345678"\n  subnet_id = var.subnet_id\n}\n'
    ),
    "a child module's .tf file": lambda root: (root / "infra" / "modules" / "web" / "main.tf").write_text(
        WEB_MODULE_TF.replace('http_tokens = "required"', 'http_tokens = "optional"')
    ),
    "a file() target": lambda root: (root / "infra" / "modules" / "web" / "policy.json").write_text(
        READ_ONLY_POLICY.replace('"s3:GetObject"', '"*"')
    ),
    "a deleted file": lambda root: (root / "infra" / "modules" / "web" / "policy.json").unlink(),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_changed_input_loads_the_configuration_again(
    edit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    before = scan_json(root, cache)
    loads = CountingLoads(monkeypatch)
    EDITS[edit](root)
    after = scan_json(root, cache)
    assert loads.kinds == ["terraform"], "only the configuration that read the input loads again"
    assert after != before
    assert after == scan_json(root, None), "the same report as a scan without any cache"
    loads.kinds.clear()
    assert scan_json(root, cache) == after and loads.kinds == [], "and the new answer is cached"


def test_an_edited_template_loads_the_templates_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    before = scan_json(root, cache)
    template = root / "cfn" / "template.yaml"
    text = template.read_text()
    assert "0.0.0.0/0" in text
    template.write_text(text.replace("CidrIp: 0.0.0.0/0", "CidrIp: 10.9.0.0/16"))
    loads = CountingLoads(monkeypatch)
    after = scan_json(root, cache)
    assert loads.kinds == ["cloudformation"]
    assert after != before
    assert after == scan_json(root, None)


def test_an_option_that_changes_results_is_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    EDITS["a new tfvars file beside them"](root)
    default = scan_json(root, cache)
    loads = CountingLoads(monkeypatch)
    allowed = scan_json(root, cache, authorized_ports=frozenset({22}))
    assert "terraform" in loads.kinds
    assert allowed != default
    assert allowed == scan_json(root, None, authorized_ports=frozenset({22}))
    other = scan_json(root, cache, variables={"ssh_cidr": '"10.1.0.0/16"'})
    assert other == scan_json(root, None, variables={"ssh_cidr": '"10.1.0.0/16"'})
    assert other != default


def test_a_damaged_result_entry_is_ignored_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    expected = scan_json(root, cache)
    entries = sorted((cache / "results").rglob("*.result"))
    assert len(entries) == 2
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(pickle.dumps(("result-0", {"infra/main.tf": ("absent",)})) + pickle.dumps(None))
    loads = CountingLoads(monkeypatch)
    assert scan_json(root, cache) == expected
    assert sorted(loads.kinds) == ["cloudformation", "terraform"]
    loads.kinds.clear()
    assert scan_json(root, cache) == expected
    assert loads.kinds == [], "both entries were written again"


def test_no_cache_keeps_no_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path)
    loads = CountingLoads(monkeypatch)
    scan_json(root, None)
    scan_json(root, None)
    assert sorted(loads.kinds) == ["cloudformation", "cloudformation", "terraform", "terraform"]


def test_a_fixed_syntax_error_loads_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    broken = root / "infra" / "broken.tf"
    broken.write_text('resource "aws_instance" "late" {\n  ami = "ami-12345678"\n  subnet_id = aws_subnet.public.id\n')
    before = scan_json(root, cache)
    assert [e["file"] for e in json.loads(before)["errors"]] == ["infra/broken.tf"]
    broken.write_text(broken.read_text() + "}\n")  # the file was never read, but its error named it
    loads = CountingLoads(monkeypatch)
    after = scan_json(root, cache)
    assert loads.kinds == ["terraform"]
    assert "aws_instance.late" in after and json.loads(after)["errors"] == []
    assert after == scan_json(root, None)


def test_a_module_folder_created_later_loads_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    main = root / "infra" / "main.tf"
    main.write_text(MAIN_TF + 'module "db" {\n  source    = "./modules/db"\n  subnet_id = aws_subnet.public.id\n}\n')
    before = scan_json(root, cache)
    assert "module.db.aws_instance.db" not in before
    (root / "infra" / "modules" / "db").mkdir()
    (root / "infra" / "modules" / "db" / "main.tf").write_text(
        'variable "subnet_id" {}\nresource "aws_instance" "db" {\n  ami = "ami-12345678"\n'
        "  subnet_id = var.subnet_id\n}\n"
    )
    loads = CountingLoads(monkeypatch)
    after = scan_json(root, cache)
    assert loads.kinds == ["terraform"]
    assert "module.db.aws_instance.db" in after
    assert after == scan_json(root, None)


def test_vulnerability_data_is_part_of_the_key(tmp_path: Path) -> None:
    """End to end: the same scan with the same data is answered from the cache; other
    data (the KEV catalog no longer lists the CVE) loads again and matches a scan without cache."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "vulnerabilities" / "kev-cve-on-image-sbom", repo)
    shutil.copytree(FIXTURES / "vulnerabilities" / "offline-data", repo / "data")
    cache = tmp_path / "cache"

    def run(out: str, *extra: str) -> tuple[str, str]:
        # Reports go outside the repository: a new file beside the templates is a change.
        command = [
            sys.executable,
            "-m",
            "scanner",
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            str(tmp_path / out),
            "--fail-on",
            "none",
            "--timings",
            "--sbom",
            "ami-0abc1234def567890=sboms/web.cdx.json",
            "--vuln-db",
            "data/osv",
            "--kev",
            "data/kev.json",
            "--epss",
            "data/epss.csv",
            *extra,
        ]
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return (tmp_path / out).read_text(), done.stderr

    first, _ = run("first.json", "--cache-dir", str(cache))
    second, timings = run("second.json", "--cache-dir", str(cache))
    assert second == first and '"jobs_from_result_cache": 1.0' in timings
    assert "ec2-exploitable-vulnerability" in first
    kev = repo / "data" / "kev.json"
    kev.write_text(kev.read_text().replace('"CVE-2014-0160"', '"CVE-1999-0001"'))
    third, timings = run("third.json", "--cache-dir", str(cache))
    assert '"jobs_from_result_cache": 0.0' in timings
    assert third != first, "the trait no longer says the CVE is in CISA KEV"
    assert third == run("fresh.json", "--no-cache")[0]
    for record in (repo / "data" / "osv").glob("*CVE-2014-0160.json"):  # a file inside the OSV folder
        record.unlink()
    fourth, timings = run("fourth.json", "--cache-dir", str(cache))
    assert '"jobs_from_result_cache": 0.0' in timings
    assert "CVE-2014-0160" not in fourth
    assert fourth == run("fresh2.json", "--no-cache")[0]


def test_a_file_target_created_later_loads_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    web = root / "infra" / "modules" / "web"
    (web / "policies").mkdir()
    (web / "policies" / "README.md").write_text("Policies of the web tier.\n")
    (web / "main.tf").write_text(
        WEB_MODULE_TF.replace('file("${path.module}/policy.json")', 'file("${path.module}/policies/web.json")')
    )
    before = scan_json(root, cache)
    assert "ec2-admin-role" not in before
    (web / "policies" / "web.json").write_text(READ_ONLY_POLICY.replace('"s3:GetObject"', '"*"'))
    loads = CountingLoads(monkeypatch)
    after = scan_json(root, cache)
    assert loads.kinds == ["terraform"], "the folder it looked in now holds the file"
    assert "ec2-admin-role" in after
    assert after == scan_json(root, None)


def test_a_changed_scanner_does_not_reuse_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key holds the scanner's own code (file sizes and times), not only its version."""
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    first = scan_json(root, cache)
    loads = CountingLoads(monkeypatch)
    monkeypatch.setattr(result_cache, "code_fingerprint", lambda: "a newer build of the same version")
    assert scan_json(root, cache) == first
    assert sorted(loads.kinds) == ["cloudformation", "terraform"]


def test_answers_written_in_the_background_are_complete_once_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line writes a large new answer from a forked writer while it writes its
    report, and waits for it before it ends: the next scan is answered from the cache, the
    same."""
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    options = ScanOptions(root=root, cache_dir=cache, jobs=1)
    monkeypatch.setattr(result_cache, "BACKGROUND_FROM", 1)  # the repository is small
    result = scan([root], options, background_writes=True)
    if sys.platform.startswith("linux"):
        assert len(result.cache_writers) == 2  # one per job: the Terraform module, the template
    first = render_json(result)
    result_cache.wait_for_writers(result.cache_writers)
    assert result.cache_writers == []
    assert len(list((cache / "results").rglob("*.result"))) == 2
    loads = CountingLoads(monkeypatch)
    assert render_json(scan([root], options)) == first
    assert loads.kinds == []


def test_a_small_answer_is_written_at_once_without_a_process(tmp_path: Path) -> None:
    root, cache = make_repo(tmp_path), tmp_path / "cache"
    result = scan([root], ScanOptions(root=root, cache_dir=cache, jobs=1), background_writes=True)
    assert result.cache_writers == []
    assert len(list((cache / "results").rglob("*.result"))) == 2
