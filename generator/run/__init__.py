"""Run a generated architecture locally: a supervisor, service ports and a gateway on one machine.

``load_manifest`` reads ``monosplit-run.json``; ``run_architecture`` starts every
unit, keeps it running and serves the gateway until SIGINT, SIGTERM or SIGHUP.

Layout, from pure to I/O: ``manifest`` (the contract) and ``routing`` (which unit
answers a request) and ``specs`` (what each process is started with) are pure;
``balancing`` picks replicas; ``supervisor`` runs processes; ``services`` and
``gateway`` relay traffic; ``runner`` wires them together.
"""

from __future__ import annotations

from generator.run.manifest import MANIFEST_NAME, ManifestError, RouteRule, RunManifest, Unit, load_manifest
from generator.run.runner import RunOptionError, RunOptions, run_architecture
from generator.run.supervisor import UnitStartError

__all__ = [
    "MANIFEST_NAME",
    "ManifestError",
    "RouteRule",
    "RunManifest",
    "RunOptionError",
    "RunOptions",
    "Unit",
    "UnitStartError",
    "load_manifest",
    "run_architecture",
]
