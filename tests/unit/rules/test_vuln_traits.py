"""Vulnerability traits from offline data: SBOMs, Inspector exports, user_data, OSV, KEV, EPSS."""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import pytest

from scanner.analyses.vulnerabilities import VulnerabilityData, VulnerabilitySources, load_vulnerability_data
from scanner.findings import Trait
from scanner.model import AutoScalingGroup, Instance, LaunchTemplate
from scanner.rules import exploitable_vulnerability, vulnerability
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import WorkloadContext
from tests.support.paths import REPO
from tests.support.rule_checks import run_checks

EXPLOITABLE_VULNERABILITY = exploitable_vulnerability.ID
VULNERABILITY = vulnerability.ID


def vulnerability_traits(ctx: WorkloadContext, data: VulnerabilityData) -> tuple[list[Trait], list[str]]:
    return run_checks(ctx, exploitable_vulnerability, vulnerability, vulnerability_data=data)


FIXTURES = REPO / "fixtures" / "vulnerabilities"
DATA = FIXTURES / "offline-data"


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def sources(**kwargs: object) -> VulnerabilitySources:
    base: dict[str, object] = {
        "sboms": {},
        "inspector_exports": (),
        "osv_db": DATA / "osv",
        "kev": DATA / "kev.json",
        "epss": DATA / "epss.csv",
    }
    base.update(kwargs)
    return VulnerabilitySources(**base)  # type: ignore[arg-type]


def instance(
    root: Path,
    file: str,
    address: str,
    *,
    image: object = None,
    image_needle: str = "",
    user_data: str | None = None,
    user_data_needle: str = "",
    launch_template: object = None,
) -> Instance:
    path = root / file
    spans: dict[str, Span] = {}
    if image_needle:
        spans["image"] = Span(file, line_of(path, image_needle), line_of(path, image_needle))
    if user_data_needle:
        start = line_of(path, user_data_needle)
        end = len(path.read_text().splitlines())
        spans["user_data"] = Span(file, start, end)
    return Instance(
        address=address,
        kind="aws_instance",
        span=Span(file, 1, 5),
        attr_spans=spans,
        image=image,
        user_data=user_data,
        launch_template=launch_template,
    )  # type: ignore[arg-type]


def by_package(traits: list[Trait]) -> dict[str, Trait]:
    return {str(t.properties["package"]): t for t in traits}


# --- SBOM on the image ------------------------------------------------------------------------


def test_kev_cve_with_network_vector_on_sbom_package_is_exploitable() -> None:
    root = FIXTURES / "kev-cve-on-image-sbom"
    data, errors, _ = load_vulnerability_data(
        sources(sboms={"ami-0abc1234def567890": Path("sboms/web.cdx.json")}), root
    )
    assert data is not None and errors == []
    web = instance(root, "main.tf", "aws_instance.web", image="ami-0abc1234def567890", image_needle="ami ")
    traits, _ = vulnerability_traits(WorkloadContext(workload=web, configuration="."), data)

    found = by_package(traits)
    # libssl1.0.0 is built from the openssl source package that the Debian advisory names
    heartbleed = found["libssl1.0.0"]
    assert heartbleed.rule_id == EXPLOITABLE_VULNERABILITY
    assert heartbleed.properties["cve_ids"] == ["CVE-2014-0160"]
    assert heartbleed.properties["installed_version"] == "1.0.1e-2+deb7u4"
    assert heartbleed.properties["fixed_version"] == "1.0.1e-2+deb7u5"
    assert heartbleed.properties["in_kev"] is True
    # the Debian record has no CVSS vector: the CVE's own record supplies it
    assert heartbleed.properties["attack_vector"] == "N"
    assert heartbleed.location.span == Span("main.tf", 2, 2)
    assert "ami-0abc1234def567890" in (root / "main.tf").read_text().splitlines()[heartbleed.location.span.line - 1]
    sbom = root / "sboms" / "web.cdx.json"
    related = heartbleed.related[0].span
    assert related.file == "sboms/web.cdx.json"
    assert "libssl1.0.0" in sbom.read_text().splitlines()[related.line - 1]
    # the fixed openssl and the fixed flask give nothing
    assert "openssl" not in found and "flask" not in found and "Flask" not in found


def test_unknown_ecosystem_and_missing_purl_are_reported_not_guessed() -> None:
    root = FIXTURES / "kev-cve-on-image-sbom"
    _, _, notices = load_vulnerability_data(sources(sboms={"ami-0abc1234def567890": Path("sboms/web.cdx.json")}), root)
    assert any("pkg:hackage" in n and "not checked" in n for n in notices)
    assert any("without a package URL" in n for n in notices)


def test_fixed_version_installed_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = "ami-0000000000000fixed"\n}\n')
    sbom = tmp_path / "fixed.cdx.json"
    sbom.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": ['
        '{"type": "library", "name": "flask", "version": "2.3.2", "purl": "pkg:pypi/flask@2.3.2"},'
        '{"type": "library", "name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21"}]}'
    )
    data, errors, _ = load_vulnerability_data(sources(sboms={"ami-0000000000000fixed": sbom}), tmp_path)
    assert data is not None and errors == []
    x = instance(tmp_path, "main.tf", "aws_instance.x", image="ami-0000000000000fixed", image_needle="ami")
    traits, _ = vulnerability_traits(WorkloadContext(workload=x, configuration="."), data)
    assert traits == []
    # one version lower, and the same SBOM is vulnerable: the test can fail
    sbom.write_text(sbom.read_text().replace("2.3.2", "2.3.1"))
    data, _, _ = load_vulnerability_data(sources(sboms={"ami-0000000000000fixed": sbom}), tmp_path)
    assert data is not None
    traits, _ = vulnerability_traits(WorkloadContext(workload=x, configuration="."), data)
    assert [t.properties["fixed_version"] for t in traits] == ["2.3.2"]


def test_spdx_sbom_by_data_source_name_on_asg_launch_template_epss_below_threshold() -> None:
    root = FIXTURES / "spdx-sbom-by-data-ami"
    data, errors, _ = load_vulnerability_data(sources(sboms={"ubuntu": Path("app.spdx.json")}), root)
    assert data is not None and errors == []
    lt_line = line_of(root / "main.tf", "image_id")
    template = LaunchTemplate(
        address="aws_launch_template.app",
        kind="aws_launch_template",
        span=Span("main.tf", 10, 14),
        attr_spans={"image": Span("main.tf", lt_line, lt_line)},
        image=Unknown("data.aws_ami.ubuntu.id is only known after apply", (ResourceRef("data.aws_ami.ubuntu"),)),
    )
    asg = AutoScalingGroup(
        address="aws_autoscaling_group.app",
        kind="aws_autoscaling_group",
        span=Span("main.tf", 16, 24),
        launch_template=ResourceRef("aws_launch_template.app"),
    )
    ctx = WorkloadContext(workload=asg, configuration=".", launch_template=template)
    traits, _ = vulnerability_traits(ctx, data)
    assert len(traits) == 1
    openssl = traits[0]
    # AV:N but EPSS 0.09999 < 0.1 and not in KEV
    assert openssl.rule_id == VULNERABILITY
    assert openssl.properties["epss"] == pytest.approx(0.09999)
    assert openssl.properties["fixed_version"] == "3.0.2-0ubuntu1.7"
    assert openssl.location.address == "aws_launch_template.app"
    assert openssl.location.span.line == lt_line
    assert (
        "SPDXRef-Package-deb-openssl"
        in (root / "app.spdx.json").read_text().splitlines()[openssl.related[0].span.line - 1]
    )

    # the same CVE at a threshold below its score is exploitable
    data, _, _ = load_vulnerability_data(
        sources(sboms={"data.aws_ami.ubuntu": Path("app.spdx.json")}, epss_threshold=0.05), root
    )
    assert data is not None
    traits, _ = vulnerability_traits(ctx, data)
    assert [t.rule_id for t in traits] == [EXPLOITABLE_VULNERABILITY]


def test_epss_at_threshold_counts_and_network_vector_is_required(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = "ami-0000000000000000a"\n}\n')
    sbom = tmp_path / "node.cdx.json"
    sbom.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": ['
        '{"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"},'
        '{"type": "library", "name": "busybox", "version": "1.36.1-r0",'
        ' "purl": "pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64&distro=alpine-3.18.4"}]}'
    )
    data, _, _ = load_vulnerability_data(sources(sboms={"ami-0000000000000000a": sbom}), tmp_path)
    assert data is not None
    x = instance(tmp_path, "main.tf", "aws_instance.x", image="ami-0000000000000000a", image_needle="ami")
    found = by_package(vulnerability_traits(WorkloadContext(workload=x, configuration="."), data)[0])
    # lodash: EPSS exactly 0.1 (the default threshold), AV:N
    assert found["lodash"].rule_id == EXPLOITABLE_VULNERABILITY
    assert found["lodash"].properties["in_kev"] is False
    # busybox: in KEV but a local attack vector (AV:L): not network-exploitable
    assert found["busybox"].rule_id == VULNERABILITY
    assert found["busybox"].properties["in_kev"] is True
    assert found["busybox"].properties["attack_vector"] == "L"


def test_without_kev_or_epss_nothing_is_exploitable(tmp_path: Path) -> None:
    root = FIXTURES / "kev-cve-on-image-sbom"
    data, _, notices = load_vulnerability_data(
        sources(sboms={"ami-0abc1234def567890": Path("sboms/web.cdx.json")}, kev=None, epss=None), root
    )
    assert data is not None
    assert any("EPSS" in n for n in notices)
    web = instance(root, "main.tf", "aws_instance.web", image="ami-0abc1234def567890", image_needle="ami ")
    traits, _ = vulnerability_traits(WorkloadContext(workload=web, configuration="."), data)
    assert traits and all(t.rule_id == VULNERABILITY for t in traits)


# --- Inspector ----------------------------------------------------------------------------------


def test_inspector_export_by_image_id_on_launch_template() -> None:
    root = FIXTURES / "inspector-export"
    data, errors, _ = load_vulnerability_data(sources(inspector_exports=(Path("findings.json"),), osv_db=None), root)
    assert data is not None and errors == []
    lt_line = line_of(root / "main.tf", "image_id")
    template = LaunchTemplate(
        address="aws_launch_template.api",
        kind="aws_launch_template",
        span=Span("main.tf", 1, 5),
        attr_spans={"image": Span("main.tf", lt_line, lt_line)},
        image="ami-0fedcba9876543210",
    )
    api = instance(root, "main.tf", "aws_instance.api", launch_template=ResourceRef("aws_launch_template.api"))
    traits, _ = vulnerability_traits(WorkloadContext(workload=api, configuration=".", launch_template=template), data)
    found = by_package(traits)
    assert set(found) == {"httpd", "Flask"}  # the CLOSED openssl finding is fixed
    httpd = found["httpd"]
    assert httpd.rule_id == EXPLOITABLE_VULNERABILITY
    assert httpd.properties["installed_version"] == "2.4.49-1.amzn2023"
    assert httpd.properties["fixed_version"] == "2.4.50-1.amzn2023"
    assert httpd.properties["ecosystem"] == "Amazon Linux:2023"
    assert "ALAS2023-2023-1001" in httpd.properties["vulnerability_ids"]
    assert httpd.location.span == Span("main.tf", lt_line, lt_line)
    flask = found["Flask"]
    assert flask.rule_id == VULNERABILITY  # AV:N, but EPSS 0.00215 and not in KEV
    assert flask.properties["epss"] == pytest.approx(0.00215)


def test_inspector_and_osv_matches_of_the_same_cve_count_once(tmp_path: Path) -> None:
    root = FIXTURES / "inspector-export"
    data, _, _ = load_vulnerability_data(sources(inspector_exports=(Path("findings.json"),)), root)
    assert data is not None
    sbom = tmp_path / "api.cdx.json"
    sbom.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library",'
        ' "name": "flask", "version": "2.2.4", "purl": "pkg:pypi/flask@2.2.4"}]}'
    )
    data, _, _ = load_vulnerability_data(
        sources(sboms={"ami-0fedcba9876543210": sbom}, inspector_exports=(Path("findings.json"),)), root
    )
    assert data is not None
    template = LaunchTemplate(
        address="aws_launch_template.api",
        kind="aws_launch_template",
        span=Span("main.tf", 1, 5),
        image="ami-0fedcba9876543210",
    )
    api = instance(root, "main.tf", "aws_instance.api")
    traits, _ = vulnerability_traits(WorkloadContext(workload=api, configuration=".", launch_template=template), data)
    flask = [t for t in traits if str(t.properties["package"]).lower() == "flask"]
    assert len(flask) == 1
    assert {"CVE-2023-30861", "GHSA-m2qf-hxjv-5gpq", "PYSEC-2023-62"} <= set(flask[0].properties["vulnerability_ids"])


# --- user_data ----------------------------------------------------------------------------------


def test_user_data_packages_point_at_their_install_lines() -> None:
    root = FIXTURES / "user-data-installs"
    path = root / "main.tf"
    text = path.read_text()
    body = text[text.index("<<-EOF\n") + len("<<-EOF\n") : text.rindex("  EOF")]
    user_data = "\n".join(line[4:] for line in body.splitlines()) + "\n"  # <<- strips the indent
    data, errors, _ = load_vulnerability_data(sources(), root)
    assert data is not None and errors == []
    app = instance(
        root,
        "main.tf",
        "aws_instance.app",
        image="ami-0aaaabbbbccccdddd",
        image_needle="ami ",
        user_data=user_data,
        user_data_needle="user_data",
    )
    traits, notices = vulnerability_traits(WorkloadContext(workload=app, configuration="."), data)
    found = by_package(traits)
    assert set(found) == {"httpd", "nginx", "flask", "lodash", "@angular/core"}
    lines = text.splitlines()
    for name, written in [
        ("httpd", "httpd-2.4.49-1.amzn2023"),
        ("nginx", "nginx=1.22.1-9"),
        ("flask", "flask==2.0.1"),
        ("lodash", "lodash@4.17.20"),
        ("@angular/core", "@angular/core@11.0.2"),
    ]:
        span = found[name].location.span
        assert span.file == "main.tf"
        assert written in lines[span.line - 1], name
    assert found["httpd"].location.span.line == line_of(path, "yum install")
    # httpd: KEV + AV:N; the distribution is unknown, so the match says it rests on an assumption
    assert found["httpd"].rule_id == EXPLOITABLE_VULNERABILITY
    assert found["httpd"].assumptions and "distribution" in found["httpd"].assumptions[0]
    assert found["nginx"].rule_id == EXPLOITABLE_VULNERABILITY  # EPSS 0.81
    assert found["flask"].rule_id == VULNERABILITY
    assert found["flask"].assumptions == ()
    assert found["@angular/core"].properties["fixed_version"] == "11.0.5"
    assert any("requests>=2.31" in n and "express@^4.18.0" in n for n in notices)


def test_cloud_init_packages_use_the_image_distribution_when_an_sbom_gives_it(tmp_path: Path) -> None:
    root = FIXTURES / "cloud-init-packages"
    path = root / "template.yaml"
    text = path.read_text()
    block = text[text.rindex("\n", 0, text.index("#cloud-config")) + 1 :]
    user_data = "\n".join(line[10:] for line in block.splitlines()).replace("${AWS::Region}", "eu-west-1") + "\n"
    start = line_of(path, "UserData:")
    worker = Instance(
        address="Worker",
        kind="AWS::EC2::Instance",
        span=Span("template.yaml", 3, 18),
        attr_spans={
            "user_data": Span("template.yaml", start, len(text.splitlines())),
            "image": Span("template.yaml", 6, 6),
        },
        image="ami-0123456789abcdef0",
        user_data=user_data,
    )
    data, _, _ = load_vulnerability_data(sources(), root)
    assert data is not None
    traits, _ = vulnerability_traits(WorkloadContext(workload=worker, configuration="template.yaml"), data)
    found = by_package(traits)
    assert set(found) == {"openssl", "busybox", "flask"}
    lines = text.splitlines()
    assert "[openssl, 3.0.2-0ubuntu1.6]" in lines[found["openssl"].location.span.line - 1]
    assert "busybox=1.36.1-r0" in lines[found["busybox"].location.span.line - 1]
    assert "flask==2.3.1" in lines[found["flask"].location.span.line - 1]
    assert found["openssl"].assumptions  # any distribution could install it

    # an SBOM of the image saying Debian 12: Ubuntu and Alpine advisories no longer apply
    sbom = tmp_path / "debian.cdx.json"
    sbom.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": ['
        '{"type": "operating-system", "name": "debian", "version": "12"}]}'
    )
    data, _, _ = load_vulnerability_data(sources(sboms={"ami-0123456789abcdef0": sbom}), root)
    assert data is not None
    traits, _ = vulnerability_traits(WorkloadContext(workload=worker, configuration="template.yaml"), data)
    assert set(by_package(traits)) == {"flask"}


# --- loading -------------------------------------------------------------------------------------


def test_no_data_says_once_that_traits_were_not_evaluated() -> None:
    data, errors, notices = load_vulnerability_data(
        VulnerabilitySources(sboms={}, inspector_exports=(), osv_db=None, kev=None, epss=None), FIXTURES
    )
    assert data is None and errors == []
    assert len(notices) == 1 and "not evaluated" in notices[0]


def test_osv_zip_loads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "osv.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for record in sorted((DATA / "osv").glob("*.json")):
            zipped.write(record, record.name)
    folder, _, _ = load_vulnerability_data(sources(), tmp_path)
    zipped_data, errors, _ = load_vulnerability_data(sources(osv_db=archive), tmp_path)
    assert folder is not None and zipped_data is not None and errors == []
    assert folder.osv is not None and zipped_data.osv is not None
    assert {a.id for a in zipped_data.osv.advisories} == {a.id for a in folder.osv.advisories}
    assert len(folder.osv.advisories) == len(list((DATA / "osv").glob("*.json")))


def test_bad_files_are_errors_with_file_and_line(tmp_path: Path) -> None:
    osv = tmp_path / "osv"
    osv.mkdir()
    (osv / "broken.json").write_text('{\n  "id": "X",\n  "affected": [\n}\n')
    (tmp_path / "kev.json").write_text("[]")
    (tmp_path / "epss.csv").write_text("#model_version:v1\nfoo,bar\n")
    (tmp_path / "sbom.json").write_text('{"hello": "world"}')
    data, errors, _ = load_vulnerability_data(
        VulnerabilitySources(
            sboms={"ami-1": Path("sbom.json")},
            inspector_exports=(),
            osv_db=Path("osv"),
            kev=Path("kev.json"),
            epss=Path("epss.csv"),
        ),
        tmp_path,
    )
    assert data is not None
    by_file = {e.file: e for e in errors}
    assert by_file["osv/broken.json"].line == 4
    assert by_file["epss.csv"].line == 2
    assert "kev.json" in by_file and "sbom.json" in by_file


def test_no_network_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    root = FIXTURES / "kev-cve-on-image-sbom"
    data, errors, _ = load_vulnerability_data(
        sources(
            sboms={"ami-0abc1234def567890": Path("sboms/web.cdx.json")},
            inspector_exports=(FIXTURES / "inspector-export" / "findings.json",),
        ),
        root,
    )
    assert data is not None and errors == []
    web = instance(
        root,
        "main.tf",
        "aws_instance.web",
        image="ami-0abc1234def567890",
        image_needle="ami ",
        user_data="#!/bin/sh\npip install flask==2.0.1\n",
    )
    traits, _ = vulnerability_traits(WorkloadContext(workload=web, configuration="."), data)
    assert {t.rule_id for t in traits} == {EXPLOITABLE_VULNERABILITY, VULNERABILITY}


@pytest.mark.parametrize(
    ("image", "key"),
    [
        ("{{resolve:ssm:/golden/web-ami}}", "/golden/web-ami"),
        ("resolve:ssm:/golden/web-ami:3", "resolve:ssm:/golden/web-ami"),
        (
            Unknown(
                "parameter LatestAmiId is read from SSM parameter /aws/service/ami-amazon-linux-latest/"
                "al2023-ami-kernel-default-x86_64 at deploy time"
            ),
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        ),
        (ResourceRef("module.web.data.aws_ami.golden"), "data.aws_ami.golden"),
        (Unknown("only known after apply", (ResourceRef("data.aws_ssm_parameter.ami", "value"),)), "ami"),
        ("AMI-0ABC1234DEF567890", "ami-0abc1234def567890"),
    ],
)
def test_image_keys_from_ssm_and_data_sources(tmp_path: Path, image: object, key: str) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = "x"\n}\n')
    sbom = tmp_path / "img.cdx.json"
    sbom.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library",'
        ' "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}]}'
    )
    data, _, _ = load_vulnerability_data(sources(sboms={key: sbom}), tmp_path)
    assert data is not None
    x = instance(tmp_path, "main.tf", "aws_instance.x", image=image, image_needle="ami")
    traits, notices = vulnerability_traits(WorkloadContext(workload=x, configuration="."), data)
    assert [t.properties["package"] for t in traits] == ["lodash"], notices
    # another image is not this one: nothing, and the scan says the image had no SBOM
    other = instance(tmp_path, "main.tf", "aws_instance.y", image="ami-0ffffffffffffffff", image_needle="ami")
    traits, notices = vulnerability_traits(WorkloadContext(workload=other, configuration="."), data)
    assert traits == [] and any("no SBOM" in n for n in notices)
