"""Packages that user_data / UserData installs: shell, cloud-init, MIME multi-part."""

from __future__ import annotations

import base64

import pytest

from scanner.vulndata.userdata import read_user_data
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "vulnerabilities"


def packages(text: str) -> list[tuple[str, str, str, int]]:
    return [(p.name, p.version, p.ecosystem, p.line) for p in read_user_data(text).packages]


def test_yum_dnf_versions_are_split_from_dashed_names() -> None:
    text = (
        "#!/bin/bash\n"
        "sudo yum install -y httpd-2.4.57-1.amzn2023 java-17-amazon-corretto python3-pip-21.3.1\n"
        "dnf -y install openssl-1:3.0.8-1.amzn2023.x86_64 --setopt=install_weak_deps=False\n"
    )
    assert packages(text) == [
        ("httpd", "2.4.57-1.amzn2023", "rpm", 1),
        ("python3-pip", "21.3.1", "rpm", 1),
        ("openssl", "1:3.0.8-1.amzn2023", "rpm", 2),  # arch dropped, epoch kept
    ]
    assert "yum install java-17-amazon-corretto" in read_user_data(text).unpinned


def test_apt_get_and_apt_pins() -> None:
    text = (
        "apt-get update\n"
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Options::=--force-confold "
        "nginx=1.18.0-6ubuntu14.4 curl libssl3:amd64=3.0.2-0ubuntu1.10\n"
        "apt install -y 'redis-server=5:6.0.16-1ubuntu1' vim=2:8.2.*\n"
    )
    assert packages(text) == [
        ("nginx", "1.18.0-6ubuntu14.4", "deb", 1),
        ("libssl3", "3.0.2-0ubuntu1.10", "deb", 1),
        ("redis-server", "5:6.0.16-1ubuntu1", "deb", 2),
    ]
    unpinned = read_user_data(text).unpinned
    assert "apt-get install curl" in unpinned and "apt install vim=2:8.2.*" in unpinned


def test_pip_pins_only_exact_versions() -> None:
    text = (
        "pip install flask==2.0.1 'Django[argon2]==3.2.0' requests>=2.0 -r requirements.txt\n"
        "python3 -m pip install --index-url https://pypi.example/simple urllib3===1.26.4\n"
        "pip3.11 install --upgrade pip\n"
    )
    assert packages(text) == [
        ("flask", "2.0.1", "PyPI", 0),
        ("Django", "3.2.0", "PyPI", 0),
        ("urllib3", "1.26.4", "PyPI", 1),
    ]


def test_npm_and_yarn_exact_versions() -> None:
    text = "npm install -g lodash@4.17.20 @angular/core@12.0.0 express@^4 left-pad@latest\nyarn add minimist@1.2.5\n"
    assert packages(text) == [
        ("lodash", "4.17.20", "npm", 0),
        ("@angular/core", "12.0.0", "npm", 0),
        ("minimist", "1.2.5", "npm", 1),
    ]


def test_apk_add() -> None:
    assert packages("apk add --no-cache busybox=1.36.1-r0 curl\n") == [("busybox", "1.36.1-r0", "apk", 0)]


def test_chained_commands_and_continuation_lines_keep_the_physical_line() -> None:
    text = (
        "#!/bin/sh\n"
        "set -e; yum update -y && yum install -y \\\n"
        "    mod_ssl \\\n"
        "    httpd-2.4.49\n"
        "echo 'pip install flask==1.0' # not a command\n"
    )
    assert packages(text) == [("httpd", "2.4.49", "rpm", 3)]


def test_cloud_init_packages_and_runcmd() -> None:
    text = (
        "#cloud-config\n"
        "package_update: true\n"
        "packages:\n"
        "  - nginx=1.18.0-6\n"
        "  - [openssl, 3.0.2-0ubuntu1.10]\n"
        "  - git\n"
        "runcmd:\n"
        "  - [pip, install, 'flask==2.0.1']\n"
        "  - npm install lodash@4.17.20\n"
        "  - |\n"
        "    echo start\n"
        "    yum install -y httpd-2.4.57\n"
    )
    assert packages(text) == [
        ("nginx", "1.18.0-6", "os", 3),
        ("openssl", "3.0.2-0ubuntu1.10", "os", 4),
        ("flask", "2.0.1", "PyPI", 7),
        ("lodash", "4.17.20", "npm", 8),
        ("httpd", "2.4.57", "rpm", 11),
    ]
    assert read_user_data(text).unpinned == ["cloud-init packages: git"]


def test_mime_multipart_user_data() -> None:
    text = (
        'Content-Type: multipart/mixed; boundary="//"\n'
        "MIME-Version: 1.0\n"
        "\n"
        "--//\n"
        'Content-Type: text/cloud-config; charset="us-ascii"\n'
        "\n"
        "#cloud-config\n"
        "packages:\n"
        "  - [nginx, 1.18.0-6]\n"
        "\n"
        "--//\n"
        'Content-Type: text/x-shellscript; charset="us-ascii"\n'
        "\n"
        "#!/bin/bash\n"
        "pip install flask==2.0.1\n"
        "--//--\n"
    )
    assert packages(text) == [("nginx", "1.18.0-6", "os", 8), ("flask", "2.0.1", "PyPI", 14)]


def test_base64_user_data_still_encoded_is_read() -> None:
    encoded = base64.b64encode(b"#!/bin/bash\npip install flask==2.0.1\n").decode()
    assert packages(encoded) == [("flask", "2.0.1", "PyPI", 1)]


def test_windows_and_garbage_give_nothing() -> None:
    assert packages("<powershell>\nInstall-Package foo -RequiredVersion 1.0\n</powershell>\n") == []
    assert packages("#cloud-config\npackages: [unclosed\n") == []
    assert packages("echo 'unbalanced\n") == []


def test_install_line_with_the_terraform_loader() -> None:
    """The real loader's span for user_data, mapped to the install lines of the heredoc."""
    terraform = pytest.importorskip("scanner.loaders.terraform")
    from scanner.analyses.vulnerabilities import VulnerabilitySources, load_vulnerability_data
    from scanner.model import Instance
    from scanner.options import ScanOptions
    from scanner.rules import exploitable_vulnerability, vulnerability
    from scanner.workload import WorkloadContext
    from tests.support.rule_checks import run_checks

    root = FIXTURES / "user-data-installs"
    data_dir = FIXTURES / "offline-data"
    configuration = terraform.load_terraform_configuration(root, ScanOptions(root=root))
    instances = [r for r in configuration.resources if isinstance(r, Instance)]
    assert len(instances) == 1
    data, _, _ = load_vulnerability_data(
        VulnerabilitySources(
            sboms={},
            inspector_exports=(),
            osv_db=data_dir / "osv",
            kev=data_dir / "kev.json",
            epss=data_dir / "epss.csv",
        ),
        root,
    )
    assert data is not None
    ctx = WorkloadContext(workload=instances[0], configuration=".")
    traits, _ = run_checks(ctx, exploitable_vulnerability, vulnerability, vulnerability_data=data)
    lines = (root / "main.tf").read_text().splitlines()
    written = {
        "httpd": "httpd-2.4.49",
        "nginx": "nginx=1.22.1-9",
        "flask": "flask==2.0.1",
        "lodash": "lodash@4.17.20",
        "@angular/core": "@angular/core@11.0.2",
    }
    assert {str(t.properties["package"]) for t in traits} == set(written)
    for trait in traits:
        assert trait.location.span.file == "main.tf"
        assert written[str(trait.properties["package"])] in lines[trait.location.span.line - 1]
