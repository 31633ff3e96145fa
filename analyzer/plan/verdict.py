"""Should this monolith be split at all? An honest answer, with the numbers.

Microservices are the wrong choice for small and simple applications, where
scalability needs are minimal, and where strong interdependencies would add
needless complexity. Each of those conditions is checked against figures
from the analysis and the plan, and the verdict says which hold.
"""

from __future__ import annotations

from analyzer.plan.model import Metrics, Verdict

#: Below either, an application is small enough that one deployable is simpler.
SMALL_LINES = 3_000
SMALL_SYMBOLS = 80
#: Above this share of calls crossing services, the pieces are too entangled.
ENTANGLED_ICP = 0.35
#: Above this share of symbols in the shared library, there is little left to split.
MAX_SHARED_SHARE = 0.5
#: Fewer than this many independent capabilities is not worth a distributed system.
MIN_CAPABILITIES = 3
#: Above this share of the plan's code in one service, the split has not separated capabilities.
MAX_LARGEST_SHARE = 0.5


def judge(
    *,
    lines: int,
    symbols: int,
    shared: int,
    routes: int,
    plan: Metrics,
    packages: Metrics,
    scaling: str,
) -> Verdict:
    """``scaling`` is the user's statement of scaling needs: "low", "unknown" or "high"."""
    small = lines < SMALL_LINES or symbols < SMALL_SYMBOLS
    shared_share = shared / symbols if symbols else 0.0
    # When most code is helpers every part uses, the services would be thin
    # shells around one library: that is interdependence too.
    library_like = shared_share > MAX_SHARED_SHARE
    icp = plan.ICP if plan.ICP is not None else 1.0
    sm = plan.SM if plan.SM is not None else 0.0
    baseline_sm = packages.SM if packages.SM is not None else 0.0
    entangled = icp > ENTANGLED_ICP or sm <= baseline_sm or library_like
    few = plan.services < MIN_CAPABILITIES
    minimal_scaling = scaling == "low"
    # One service holding most of the code is a monolith with satellites, whatever the
    # coupling figures say: they measure the small pieces around it.
    total = sum(size for _, size in plan.sizes)
    largest, largest_size = max(plan.sizes, key=lambda item: (item[1], item[0])) if plan.sizes else ("", 0)
    largest_share = largest_size / total if total else 0.0
    dominated = plan.services > 1 and largest_share > MAX_LARGEST_SHARE
    if plan.services <= 1:
        coupling = " — one service: nothing is separated"
    elif entangled:
        coupling = " — strongly interdependent"
    elif dominated:
        coupling = " — low, around one service holding most of the code (see balance)"
    else:
        coupling = " — the capabilities are separable"
    reasons = [
        f"size: {lines:,} lines in {symbols} top-level symbols"
        + (f" — small (under {SMALL_LINES:,} lines or {SMALL_SYMBOLS} symbols)" if small else " — not small"),
        f"coupling: {icp:.0%} of calls would cross service boundaries (ICP), structural modularity "
        f"{sm:.3f} against {baseline_sm:.3f} for a split by package" + coupling,
        f"shared code: {shared_share:.0%} of the symbols are helpers used across the code"
        + (
            f" — over {MAX_SHARED_SHARE:.0%}, the services would be thin shells around one library"
            if library_like
            else ""
        ),
        f"entry points: {routes} HTTP routes"
        + (" — a library or batch code, not a web application" if routes == 0 else ""),
        f"capabilities: {plan.services} services found"
        + (f" — fewer than {MIN_CAPABILITIES}" if few else ""),
        *(
            [
                f"balance: the largest service, {largest}, holds {largest_share:.0%} of the code"
                + (
                    f" — over {MAX_LARGEST_SHARE:.0%}: the split has not found separate capabilities"
                    if dominated
                    else ""
                )
            ]
            if plan.services > 1
            else []
        ),
        "scaling needs: "
        + {
            "low": "stated as minimal — one deployable scales well enough",
            "high": "stated as high — independent scaling of hot capabilities pays off",
            "unknown": "not stated (static analysis cannot see load; pass --scaling low|high)",
        }[scaling],
    ]
    if small or few or minimal_scaling:
        recommendation = "monolith" if routes == 0 or small else "two-tier"
        why = "small and simple" if small else ("too few capabilities" if few else "minimal scaling needs")
        reasons.insert(
            0, f"stay a {recommendation}: {why}; microservices would add needless operational cost"
        )
    elif routes == 0 or library_like:
        recommendation = "monolith"
        reasons.insert(
            0,
            "stay a monolith: this is mostly a library used as a whole"
            + (" with no HTTP entry points" if routes == 0 else "")
            + "; splitting it would distribute one body of code, not separate capabilities",
        )
    elif entangled:
        recommendation = "two-tier"
        reasons.insert(
            0,
            "go two-tier: the code is too interdependent for independent services; separate the client "
            "tier from one server tier first, and untangle the problems listed before splitting further",
        )
    elif dominated:
        recommendation = "two-tier"
        reasons.insert(
            0,
            f"go two-tier: one service ({largest}) would hold {largest_share:.0%} of the code, so the "
            "split would distribute one body of code with satellites around it; separate the client "
            "tier first, and pin capabilities (tool.monosplit.pins) where you know them",
        )
    else:
        recommendation = "microservices"
        reasons.insert(
            0,
            f"split into {plan.services} microservices: capabilities are separable and large enough to "
            "deploy and scale independently",
        )
    return Verdict(
        recommendation,
        tuple(reasons),
        (
            ("small_and_simple", small),
            ("minimal_scaling_needs", minimal_scaling),
            ("strong_interdependencies", entangled),
            ("one_service_dominates", dominated),
        ),
    )
