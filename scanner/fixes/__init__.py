"""Fixes that are true: each candidate fix is one edit of the model at the place the user
changes, applied to a copy of what the workloads see and re-analysed.

The flow, per configuration, after every workload's traits are known:

1. ``scanner.fixes.edits``: the candidate edits a workload's traits point at (the security
   group rule that admits the internet, the ``http_tokens`` line, the subnet that maps
   public addresses, the route to the internet gateway, the NACL entry, the listener, the
   policy attachment ...), one edit per object, each with the rules it can change.
2. ``scanner.fixes.substitute``: the edit applied to a workload's resolved context (a copy;
   the model and the graph are not touched).
3. ``scanner.fixes.evaluate``: the rules the edit can change re-run on the edited context of
   every workload whose traits name the edited object, the others' traits kept; the new
   severity compared with the old: the edit **resolves** the exposure (no trait left),
   **reduces** it (a lower severity), **clears** traits at the same severity, or changes
   nothing (then it is never suggested).

Edits only take away (a source, a route, an entry, a permission, a public address), so a
workload whose traits do not name the edited object cannot change, and a rule that found
nothing on a workload finds nothing after an edit: neither is re-run.
"""
