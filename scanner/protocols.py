"""IP protocols: the one table of names and numbers, for the adapters and the analyses.

The model holds a rule's protocol as its IANA number in text ("6" tcp, "17" udp, "1" icmp,
"58" icmpv6) or "-1" for every protocol. Templates write a name or a number:

* Terraform (``protocol``, ``ip_protocol``) takes ``tcp``, ``udp``, ``icmp``, ``icmpv6``,
  ``all`` or ``-1``, a number, and for network ACL rules also ``ah``, ``esp`` (and ``gre``);
  ``icmp-v6`` is a spelling seen in the wild for 58.
* CloudFormation (``IpProtocol``, a NACL entry's ``Protocol``) takes a name or a number
  (``-1`` for all protocols).

``protocol_number`` reads one such text strictly (the adapters say "unknown" for anything
else); ``normalize_protocol`` is the analyses' lenient reading, which also takes ``any`` and
gives None for what it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from scanner.values import Unknown

ALL_PROTOCOLS: Final = "-1"
TCP: Final = "6"
UDP: Final = "17"
ICMP: Final = "1"
ICMPV6: Final = "58"

# The one table: each protocol name (lower case) a template may write -> its number as text.
PROTOCOL_NUMBERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tcp": TCP,
        "udp": UDP,
        "icmp": ICMP,
        "icmpv6": ICMPV6,
        "icmp-v6": ICMPV6,
        "gre": "47",
        "esp": "50",
        "ah": "51",
        "all": ALL_PROTOCOLS,
        "-1": ALL_PROTOCOLS,
    }
)

# The names a report uses for the numbers it shows.
PROTOCOL_NAMES: Final[Mapping[str, str]] = MappingProxyType({TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"})

# No template may write "any" (AWS, Terraform and CloudFormation reject it), so the adapters
# leave it unrecognised; the analyses read it as every protocol.
_ANY: Final = "any"


def protocol_number(text: str) -> str | None:
    """A protocol as a template writes it -> its number as text; None when it names none.

    Case and surrounding whitespace do not matter. A name is looked up in the table; a
    whole number stays a number ("06" -> "6"); every negative number is "-1" (AWS knows
    only -1, for all protocols)."""
    lowered = text.strip().lower()
    if lowered in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[lowered]
    try:
        number = int(lowered)
    except ValueError:
        return None
    return ALL_PROTOCOLS if number < 0 else str(number)


def normalize_protocol(protocol: object) -> str | None:
    """The analyses' reading: "tcp" / 6 / "6" -> "6"; "all" / "any" / -1 -> "-1"; None when
    it cannot be read (None, Unknown, an unknown name). Anything else is read as its text."""
    if protocol is None or isinstance(protocol, Unknown):
        return None
    text = str(protocol)
    if text.strip().lower() == _ANY:
        return ALL_PROTOCOLS
    return protocol_number(text)


def protocol_name(protocol: str) -> str:
    """ "6" -> "tcp", "-1" -> "all", "47" -> "protocol 47"."""
    return PROTOCOL_NAMES.get(protocol, "all" if protocol == ALL_PROTOCOLS else f"protocol {protocol}")
