"""Packages a template installs itself, read from its user_data / UserData.

Shell scripts: ``yum|dnf|apt-get|apt install [-y] ...``, ``apk add``, ``pip install``,
``npm install`` / ``yarn add`` with a pinned version (``httpd-2.4.57``, ``nginx=1.18.0-6``,
``flask==2.0.1``, ``lodash@4.17.20``). cloud-init: ``packages:`` items (``pkg=1.2.3`` or
``[pkg, 1.2.3]``) and ``runcmd`` / ``bootcmd`` commands. MIME multi-part user data is split
into its parts. A package without a pinned version cannot be checked and is listed apart.

Lines are 0-based indexes into the user_data text: the analysis maps them to the file."""

from __future__ import annotations

import base64
import binascii
import email
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from scanner.frozen import frozen


@frozen
class UserDataPackage:
    name: str
    version: str
    ecosystem: str  # deb | rpm | apk | os (a cloud-init package) | PyPI | npm
    manager: str  # the command or "cloud-init packages"
    written: str  # the package argument as written ("nginx=1.18.0-6")
    line: int  # 0-based line in the user_data text


@dataclass
class UserDataPackages:
    packages: list[UserDataPackage] = field(default_factory=list)
    unpinned: list[str] = field(default_factory=list)  # "apt-get install nginx"


def read_user_data(text: str) -> UserDataPackages:
    result = UserDataPackages()
    for part, offset in _parts(_maybe_base64(text)):
        stripped = part.lstrip()
        if stripped.startswith("#cloud-config"):
            _read_cloud_config(part, offset, result)
        elif stripped.startswith("<powershell>") or stripped.startswith("<script>"):
            continue
        else:
            _read_shell(part, offset, result)
    return result


def _maybe_base64(text: str) -> str:
    compact = text.strip()
    if not compact or re.search(r"\s", compact) or not re.fullmatch(r"[A-Za-z0-9+/=]+", compact):
        return text
    try:
        decoded = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return text
    return decoded if decoded.lstrip().startswith(("#", "Content-Type")) else text


def _parts(text: str) -> Iterator[tuple[str, int]]:
    """(part text, line offset of the part in ``text``)."""
    if not re.match(r"\s*(MIME-Version:.*\n)?\s*Content-Type:\s*multipart/", text, re.IGNORECASE):
        yield text, 0
        return
    message = email.message_from_string(text)
    for part in message.walk():
        if part.is_multipart():
            continue
        payload: Any = part.get_payload(decode=True)
        body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(part.get_payload())
        raw = str(part.get_payload())
        found = text.find(raw.strip()[:200]) if raw.strip() else -1
        offset = text.count("\n", 0, found) if found >= 0 and body.strip() == raw.strip() else 0
        yield body, offset


# --- shell --------------------------------------------------------------------------------

_VALUE_OPTIONS = {
    "-o",
    "-t",
    "-c",
    "-d",
    "-e",
    "-x",
    "--exclude",
    "--enablerepo",
    "--disablerepo",
    "--releasever",
    "--installroot",
    "--setopt",
    "--target-release",
    "--repo",
    "--repository",
    "-X",
    "-r",
    "--requirement",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "--target",
    "--trusted-host",
    "-f",
    "--find-links",
    "--prefix",
    "--root",
    "--registry",
    "--cache",
}
_SUDO_WORDS = {"sudo", "env", "nohup", "exec", "command", "time"}
_PYTHON = re.compile(r"python[\d.]*$")
_PIP = re.compile(r"pip[\d.]*$")


def _read_shell(text: str, offset: int, result: UserDataPackages) -> None:
    for line, command in _commands(text):
        _read_command(command, offset + line, result)


def _read_command(line_text: str, line: int, result: UserDataPackages) -> None:
    """One logical line; a package written on a continuation line gets that line."""
    physical = line_text.split(_CONTINUATION)
    before = len(result.packages)
    for words in _split(line_text.replace(_CONTINUATION, " ")):
        _read_words(words, line, result)
    for index in range(before, len(result.packages)):
        package = result.packages[index]
        extra = next((i for i, text in enumerate(physical) if package.written in text), 0)
        result.packages[index] = replace(package, line=line + extra)


_CONTINUATION = "\\\n"


def _commands(text: str) -> Iterator[tuple[int, str]]:
    """Logical command lines (continuations kept as a marker) with their first line index."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index
        current = lines[index]
        while current.endswith("\\") and index + 1 < len(lines):
            index += 1
            current = current[:-1] + _CONTINUATION + lines[index]
        index += 1
        if current.strip() and not current.lstrip().startswith("#"):
            yield start, current


def _split(command: str) -> list[list[str]]:
    """Simple commands of a shell line, split at ; && || | and &."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:
        tokens = command.split()
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token and set(token) <= set(";&|()"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _read_words(words: list[str], line: int, result: UserDataPackages) -> None:
    words = list(words)
    while words and (
        words[0] in _SUDO_WORDS
        or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0])
        or (words[0].startswith("-") and len(words) > 1)
    ):
        words.pop(0)
    if not words:
        return
    tool = words[0].rsplit("/", 1)[-1]
    rest = words[1:]
    if _PYTHON.match(tool) and rest[:1] == ["-m"] and rest[1:2] and _PIP.match(rest[1]):
        tool, rest = "pip", rest[2:]
    arguments = _arguments(rest)
    if not arguments:
        return
    verb, packages = arguments[0], arguments[1:]
    if tool in ("yum", "dnf", "microdnf", "tdnf") and verb == "install":
        _add(result, packages, line, tool, "rpm", _rpm_spec)
    elif tool in ("apt-get", "apt") and verb == "install":
        _add(result, packages, line, tool, "deb", _equals_spec)
    elif tool == "apk" and verb == "add":
        _add(result, packages, line, tool, "apk", _equals_spec)
    elif _PIP.match(tool) and verb == "install":
        _add(result, packages, line, tool, "PyPI", _pip_spec)
    elif tool in ("npm", "pnpm") and verb in ("install", "i", "add"):
        _add(result, packages, line, tool, "npm", _npm_spec)
    elif tool == "yarn" and verb in ("add", "global"):
        _add(result, [p for p in packages if p != "add"], line, tool, "npm", _npm_spec)


def _arguments(words: list[str]) -> list[str]:
    """Words that are not options (nor option values)."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            continue
        kept.append(word)
    return kept


def _add(result: UserDataPackages, packages: list[str], line: int, tool: str, ecosystem: str, parse: Any) -> None:
    verb = "add" if tool in ("apk", "yarn") else "install"
    for written in packages:
        if ("/" in written and not written.startswith("@")) or written.endswith((".rpm", ".deb", ".txt")):
            continue  # a file, URL or requirements list: no package name to read
        if "$" in written:
            continue  # a template or shell variable: its value is not known here
        spec = parse(written)
        if spec is None:
            result.unpinned.append(f"{tool} {verb} {written}")
            continue
        name, version = spec
        result.packages.append(UserDataPackage(name, version, ecosystem, tool, written, line))


_RPM_ARCH = re.compile(r"\.(x86_64|aarch64|noarch|i686|armv7hl|ppc64le|s390x)$")
_RPM_VERSION = re.compile(r"(?:\d+:)?\d[\w+~^]*\.[\w.+~^]*(?:-[\w.+~^]+)?")


def _rpm_spec(written: str) -> tuple[str, str] | None:
    """``httpd-2.4.57`` / ``openssl-1:3.0.8-1.amzn2023.x86_64`` -> (name, version). The
    version is the first ``-`` suffix that reads as version[-release]: names have dashes too."""
    text = _RPM_ARCH.sub("", written)
    for match in re.finditer(r"-(?=\d)", text):
        name, version = text[: match.start()], text[match.end() :]
        if name and _RPM_VERSION.fullmatch(version):
            return name, version
    return None


def _equals_spec(written: str) -> tuple[str, str] | None:
    """``nginx=1.18.0-6`` (apt, apk): only an exact version counts."""
    name, sep, version = written.partition("=")
    if not sep or not version or any(c in version for c in "*?<>~"):
        return None
    return name.split(":", 1)[0], version  # apt's pkg:arch


def _pip_spec(written: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9.!+_-]+)", written)
    if match is None or "*" in written:
        return None
    return match.group(1), match.group(2)


def _npm_spec(written: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"((?:@[^/@\s]+/)?[^@\s]+)@v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)", written)
    return (match.group(1), match.group(2)) if match else None


# --- cloud-init ---------------------------------------------------------------------------


def _read_cloud_config(text: str, offset: int, result: UserDataPackages) -> None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "packages" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                _cloud_package(item, offset, result)
        elif key.value in ("runcmd", "bootcmd") and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                _cloud_command(item, offset, result)


def _cloud_package(item: yaml.Node, offset: int, result: UserDataPackages) -> None:
    line = offset + item.start_mark.line
    if isinstance(item, yaml.ScalarNode):
        spec = _equals_spec(item.value)
        if spec is None:
            result.unpinned.append(f"cloud-init packages: {item.value}")
            return
        result.packages.append(UserDataPackage(spec[0], spec[1], "os", "cloud-init packages", item.value, line))
    elif isinstance(item, yaml.SequenceNode) and len(item.value) == 2:
        name, version = (node.value for node in item.value if isinstance(node, yaml.ScalarNode))
        result.packages.append(
            UserDataPackage(str(name), str(version), "os", "cloud-init packages", f"[{name}, {version}]", line)
        )


def _cloud_command(item: yaml.Node, offset: int, result: UserDataPackages) -> None:
    if isinstance(item, yaml.ScalarNode):
        # a block scalar (| or >) starts on the line after its indicator
        first = item.start_mark.line + (1 if item.style in ("|", ">") else 0)
        for index, command in _commands(item.value):
            _read_command(command, offset + first + index, result)
    elif isinstance(item, yaml.SequenceNode):
        words = [node.value for node in item.value if isinstance(node, yaml.ScalarNode)]
        if words and words[0] in ("sh", "bash") and "-c" in words:
            _read_command(" ".join(words[words.index("-c") + 1 :]), offset + item.start_mark.line, result)
        else:
            _read_words(words, offset + item.start_mark.line, result)
