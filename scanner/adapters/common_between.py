"""What both formats need to read the resources between networks (transit gateways, Direct
Connect, PrivateLink): AWS's "enable" / "disable" settings, and endpoint service principals."""

from __future__ import annotations

from scanner.model import MaybeBool, MaybeStr
from scanner.values import Unknown


def enabled(setting: MaybeStr) -> MaybeBool:
    """A transit gateway's DefaultRouteTableAssociation / ...Propagation ("enable" |
    "disable"): None when not set (AWS enables it), Unknown kept."""
    if setting is None or isinstance(setting, Unknown):
        return setting
    return setting.strip().lower() != "disable"


def principals(values: tuple[object, ...]) -> tuple[str | Unknown, ...]:
    """Allowed principals as written (ARNs, ``*``); anything else not known offline."""
    out: list[str | Unknown] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, (str, Unknown)):
            out.append(value)
        else:
            out.append(Unknown(f"the principal {value} is not known offline"))
    return tuple(out)
