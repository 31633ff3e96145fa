"""Problems a split must solve, found in the plan and listed, never hidden."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from analyzer.plan.model import MigrationProblem
from analyzer.plan.units import UnitGraph


def find_problems(
    units: UnitGraph, assignment: dict[str, str], table_owner: dict[str, str]
) -> list[MigrationProblem]:
    """Shared writes, foreign reads, SQL joins, shared state, non-JSON calls, cycles between services."""
    problems: list[MigrationProblem] = []
    writers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    readers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for uid, unit in units.units.items():
        service = assignment.get(uid)
        if service is None:
            continue
        for table in unit.writes | unit.maps:
            writers[table][service].add(uid)
        for table in unit.reads:
            readers[table][service].add(uid)
    for table in sorted(writers):
        if len(writers[table]) > 1:
            services = tuple(sorted(writers[table]))
            symbols = tuple(sorted(u for s in services for u in writers[table][s]))
            problems.append(
                MigrationProblem(
                    "table-written-by-many",
                    f"table {table} (owned by {table_owner.get(table, '?')}) is written by {len(services)} services: "
                    f"{', '.join(services)}; writes outside the owner must go through its API",
                    services,
                    symbols,
                )
            )
    for table in sorted(readers):
        reader_owner = table_owner.get(table)
        foreign = sorted(s for s in readers[table] if s != reader_owner and s not in writers[table])
        if reader_owner is not None and foreign:
            symbols = tuple(sorted(u for s in foreign for u in readers[table][s]))
            problems.append(
                MigrationProblem(
                    "foreign-read",
                    f"table {table} belongs to {reader_owner} but is read by {', '.join(foreign)}; "
                    "those reads become calls to the owner's API (or a replicated read model)",
                    (reader_owner, *foreign),
                    symbols,
                )
            )
    for uid in sorted(units.units):
        unit = units.units[uid]
        for statement in unit.sql_statements:
            owners = sorted({table_owner[t] for t in statement if t in table_owner})
            if len(owners) > 1:
                problems.append(
                    MigrationProblem(
                        "cross-service-join",
                        f"{uid} runs one SQL statement over tables of {', '.join(owners)} "
                        f"({', '.join(statement)}); a join across databases must be rewritten",
                        tuple(owners),
                        (uid,),
                    )
                )
    users: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for uid, unit in units.units.items():
        service = assignment.get(uid)
        if service is not None:
            for variable in unit.state:
                users[variable][service].add(uid)
    for variable in sorted(users):
        state_services = sorted(s for s in users[variable] if s != "shared")
        if len(users[variable]) > 1:
            problems.append(
                MigrationProblem(
                    "shared-state",
                    f"module-level {variable} is used by {', '.join(sorted(users[variable]))}; each process "
                    "would hold its own copy — move it into one service or an external store",
                    tuple(state_services),
                    tuple(sorted(u for s in users[variable] for u in users[variable][s])),
                )
            )
    for (source, target), payload in sorted(units.payloads.items()):
        a, b = assignment.get(source), assignment.get(target)
        if a and b and a != b and "shared" not in (a, b):
            problems.append(
                MigrationProblem(
                    "non-json-call",
                    f"{source} ({a}) calls {target} ({b}) with what cannot cross a network boundary as "
                    f"JSON: {', '.join(payload)}; pass ids or plain data instead",
                    (a, b),
                    (source, target),
                )
            )
    service_graph = nx.DiGraph()
    for (source, target), kinds in units.edges.items():
        a, b = assignment.get(source), assignment.get(target)
        if a and b and a != b and "shared" not in (a, b) and kinds.get("call"):
            service_graph.add_edge(a, b)
    for component in sorted(nx.strongly_connected_components(service_graph), key=lambda c: sorted(c)):
        if len(component) > 1:
            members = tuple(sorted(component))
            problems.append(
                MigrationProblem(
                    "service-cycle",
                    f"services {', '.join(members)} call each other in a cycle; a change to one may need "
                    "the others deployed with it",
                    members,
                )
            )
    return sorted(problems)
