"""Suggesting services: a partition, deterministic, pins honoured exactly, metrics and a verdict."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer import Analysis
from analyzer.plan import PlanError, dump_plan, load_pins, load_plan, suggest
from analyzer.plan.metrics import compute_metrics
from analyzer.plan.model import Metrics, Verdict, plan_from_document
from analyzer.plan.units import Unit, UnitGraph, build_unit_graph, route_resource
from analyzer.plan.verdict import judge
from generator.cli import main
from tests.conftest import WriteTree, run_analysis

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"


@pytest.fixture(scope="module")
def sample() -> Analysis:
    return run_analysis(SAMPLE)


def test_plan_is_a_partition_with_a_closed_shared_library(sample: Analysis) -> None:
    suggestion = suggest(sample)
    plan = suggestion.plan
    owner = plan.service_of()
    assert set(owner) == set(suggestion.units.units)
    placed = [s for service in plan.services for s in service.symbols] + list(plan.shared)
    assert len(placed) == len(set(placed))
    # the shared library never depends on a service
    for source, target in suggestion.units.edges:
        if owner[source] == "shared":
            assert owner[target] == "shared", (source, target)
    # each service is named from its vocabulary, as a DNS label
    names = [s.name for s in plan.services]
    assert len(set(names)) == len(names)
    assert all(n.replace("-", "").isalnum() and n.islower() for n in names)
    assert {"catalog", "notifications", "orders", "recommendations", "subscriptions", "users"} <= set(names)


def test_same_input_and_seed_give_the_same_plan(sample: Analysis) -> None:
    assert dump_plan(suggest(sample).document) == dump_plan(suggest(sample).document)


def test_plan_beats_the_package_baseline_and_the_monolith(sample: Analysis) -> None:
    metrics = suggest(sample).metrics
    plan, packages, monolith = metrics["plan"], metrics["packages"], metrics["monolith"]
    assert plan.SM is not None and packages.SM is not None and monolith.SM is not None
    assert plan.SM > packages.SM and plan.SM > monolith.SM
    assert plan.ICP is not None and packages.ICP is not None
    assert plan.ICP < packages.ICP
    assert plan.IFN is not None and packages.IFN is not None and plan.IFN < packages.IFN
    assert monolith.ICP == 0.0 and monolith.services == 1


def test_documented_capabilities_are_recovered_symbol_by_symbol(sample: Analysis) -> None:
    """The default plan places every symbol as sample_monolith/capabilities.json says.

    The only differences allowed are the ones the manifest lists under
    ``suggestion_differences``, each with its reason, and each reason is
    checked against the plan: a split capability is one service holding
    exactly the listed symbols, a shared symbol is used by several services
    (or by shared code), a helper kept in a service is used by that service
    alone. A listed difference that no longer happens fails too, so the
    list stays true.
    """
    manifest = json.loads((SAMPLE / "capabilities.json").read_text())
    documented = {s: cap for cap, symbols in manifest["capabilities"].items() for s in symbols}
    documented |= dict.fromkeys(manifest["shared"], "shared")
    differences = {d["kind"]: d for d in manifest["suggestion_differences"]}
    assert set(differences) == {"own-service", "shared", "with-its-only-user", "with-seeded-data"}
    suggestion = suggest(sample)
    owner = suggestion.plan.service_of()
    assert set(owner) == set(documented), "the plan and the manifest must know the same symbols"

    # the capability split off into a service of its own: exactly its listed symbols
    own = differences["own-service"]
    split_off = {owner[s] for s in own["symbols"]}
    assert len(split_off) == 1, f"the listed symbols are spread over {sorted(split_off)}"
    (own_service,) = split_off
    kept_helpers = set(differences["with-its-only-user"]["symbols"])
    members = {s for s, service in owner.items() if service == own_service} - kept_helpers
    assert members == set(own["symbols"]), members ^ set(own["symbols"])

    # every other service is one documented capability, each capability one service
    capability_of: dict[str, str] = {own_service: own["capability"]}
    for service in suggestion.plan.services:
        if service.name != own_service:
            votes = Counter(documented[s] for s in service.symbols)
            capability_of[service.name] = votes.most_common(1)[0][0]
    capability_of["shared"] = "shared"
    others = [cap for name, cap in capability_of.items() if name not in (own_service, "shared")]
    assert sorted(others) == sorted(manifest["capabilities"]), capability_of

    users: dict[str, set[str]] = {}
    for source, target in suggestion.units.edges:
        users.setdefault(target, set()).add(source)
    exceptions = {s for d in differences.values() for s in d["symbols"]}
    wrong = [
        f"{s}: documented {cap}, placed in {owner[s]}"
        for s, cap in sorted(documented.items())
        if s not in exceptions and capability_of[owner[s]] != cap
    ]
    for s in differences["shared"]["symbols"]:
        services = {owner[u] for u in users.get(s, ())} - {"shared"}
        if owner[s] != "shared" or documented[s] == "shared":
            wrong.append(f"{s}: listed as shared against the manifest, placed in {owner[s]}")
        elif len(services) < 2 and not any(owner[u] == "shared" for u in users.get(s, ())):
            wrong.append(f"{s}: shared, but used by {sorted(services)} only")
    for s in differences["with-its-only-user"]["symbols"]:
        services = {owner[u] for u in users.get(s, ()) if u != s}
        if documented[s] != "shared" or owner[s] == "shared" or services != {owner[s]}:
            wrong.append(f"{s}: kept in {owner[s]}, but used by {sorted(services)}")
    seeded = differences["with-seeded-data"]
    for s in seeded["symbols"]:
        if capability_of[owner[s]] != seeded["capability"] or documented[s] == seeded["capability"]:
            wrong.append(f"{s}: listed with {seeded['capability']}, placed in {owner[s]}")
    assert wrong == [], "\n".join(wrong)


def test_at_the_documented_count_the_plan_still_matches_most_symbols(sample: Analysis) -> None:
    """Asked for exactly seven services, the method merges where it sees the weakest seam."""
    manifest = json.loads((SAMPLE / "capabilities.json").read_text())
    truth = {s: cap for cap, symbols in manifest["capabilities"].items() for s in symbols}
    truth |= dict.fromkeys(manifest["shared"], "shared")
    plan = suggest(sample, target_services=len(manifest["capabilities"])).plan
    assert len(plan.services) == len(manifest["capabilities"])
    owner = plan.service_of()
    overlap = Counter((owner[symbol], cap) for symbol, cap in truth.items())
    matched: dict[str, str] = {}
    for (service, cap), _ in overlap.most_common():
        if (
            service not in matched
            and cap not in matched.values()
            and (service == "shared") == (cap == "shared")
        ):
            matched[service] = cap
    agreement = sum(1 for s, cap in truth.items() if matched.get(owner[s]) == cap) / len(truth)
    assert agreement >= 0.8


def test_metrics_on_a_known_partition() -> None:
    def unit(uid: str) -> Unit:
        return Unit(uid, "m", "function", 10, frozenset(), frozenset(), frozenset(), (), frozenset())

    units = UnitGraph(
        {u: unit(u) for u in "abcd"},
        {("a", "b"): {"call": 3}, ("c", "d"): {"call": 1}, ("a", "c"): {"call": 1}},
    )
    metrics = compute_metrics(units, {"a": "x", "b": "x", "c": "y", "d": "y"})
    # two services of two units, one internal edge each, one edge between them
    assert metrics.SM == pytest.approx((1 / 4 + 1 / 4) / 2 - 1 / (2 * 2 * 2))
    assert metrics.ICP == pytest.approx(1 / 5)
    assert metrics.IFN == pytest.approx(0.5)  # y exposes c
    assert metrics.NED == 1.0  # both services under 5 units
    assert metrics.cross_service_calls == 1


def test_route_resource() -> None:
    assert route_resource("/api/v2/orders/<int:id>") == "orders"
    assert route_resource("/{item_id}") == "root"


PINNED_APP = {
    "app/__init__.py": "",
    "app/models.py": """
        class Base:
            pass

        class Order(Base):
            __tablename__ = "orders"

        class Payment(Base):
            __tablename__ = "payments"
    """,
    "app/services.py": """
        from app.models import Order, Payment

        def place_order():
            charge()
            return Order()

        def charge():
            return Payment()

        def refund():
            return Payment()

        def fmt(x):
            return str(x)
    """,
}


def _pinned(write_tree: WriteTree, pins: str) -> tuple[Path, Analysis]:
    root = write_tree({**PINNED_APP, "pyproject.toml": f"[tool.monosplit.pins]\n{pins}\n"})
    return root, run_analysis(root)


def test_pins_are_honoured_exactly(write_tree: WriteTree) -> None:
    root, analysis = _pinned(
        write_tree,
        'services = { billing = ["app.services.charge", "app.models.Payment"] }\n'
        'apart = [["app.services.refund", "app.services.charge"]]\n'
        'shared = ["app.services.fmt"]',
    )
    pins = load_pins(root, analysis, build_unit_graph(analysis.graph))
    plan = suggest(analysis, pins=pins).plan
    owner = plan.service_of()
    assert owner["app.services.charge"] == owner["app.models.Payment"] == "billing"
    assert owner["app.services.refund"] != "billing"
    assert owner["app.services.fmt"] == "shared"


@pytest.mark.parametrize(
    ("pins", "message"),
    [
        ('services = { billing = ["app.services.nope"] }', "names no symbol"),
        ('services = { Billing = ["app.services.charge"] }', "lower-case"),
        ('services = { a = ["app.services.charge"], b = ["app.services.charge"] }', "pinned to both"),
        ('together = [["app.services.charge"]]', "at least two"),
        ("colour = 3", "unknown key"),
    ],
)
def test_bad_pins_are_one_clear_error(write_tree: WriteTree, pins: str, message: str) -> None:
    root, _ = _pinned(write_tree, pins)
    result = CliRunner().invoke(main, ["suggest", str(root), "--no-cache"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_plan_file_round_trips_and_is_validated(sample: Analysis, tmp_path: Path) -> None:
    document = suggest(sample).document
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(document))
    known = set(build_unit_graph(sample.graph).units)
    plan = load_plan(path, known_symbols=known)
    assert [s.name for s in plan.services] == [s["name"] for s in document["services"]]

    def broken(change: dict[str, object]) -> str:
        bad = json.loads(dump_plan(document))
        bad.update(change)
        with pytest.raises(PlanError) as caught:
            plan_from_document(bad, where="plan.json", known_symbols=known)
        return str(caught.value)

    first = document["services"][0]
    assert "version" in broken({"version": 99})
    assert "non-empty list" in broken({"services": []})
    assert "must be lower-case" in broken({"services": [{**first, "name": "../etc"}]})
    assert "appears twice" in broken({"services": [first, first]})
    assert "not a top-level symbol" in broken({"services": [{**first, "symbols": ["no.such.thing"]}]})
    assert "in both" in broken({"shared": [first["symbols"][0]]})
    path.write_text("{not json")
    with pytest.raises(PlanError, match="not valid JSON"):
        load_plan(path)


def test_suggest_command_writes_plan_and_prints_metrics_and_verdict(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["suggest", str(SAMPLE), "-o", str(out), "--services", "7"])
    assert result.exit_code == 0, result.output
    assert "verdict: " in result.output and "SM (higher better)" in result.output
    document = json.loads(out.read_text())
    assert document["format"] == "monosplit-plan" and len(document["services"]) == 7
    assert document["verdict"]["recommendation"] in ("monolith", "two-tier", "microservices")


def test_verdict_says_stay_a_monolith_for_a_small_app(write_tree: WriteTree) -> None:
    analysis = run_analysis(write_tree(PINNED_APP))
    verdict = suggest(analysis).verdict
    assert verdict.recommendation == "monolith"
    assert dict(verdict.conditions)["small_and_simple"] is True
    assert "small" in verdict.reasons[0]


def test_module_state_is_found_and_shared_state_is_a_problem(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "app/__init__.py": "",
            "app/cache.py": """
                import logging
                logger = logging.getLogger(__name__)
                CHOICES = ("gold", "silver")
                _REGISTRY = {}
                client = make_client()

                def make_client():
                    return object()
            """,
            "app/orders.py": """
                from app.cache import _REGISTRY

                def remember_order(key, order):
                    _REGISTRY[key] = order
            """,
            "app/users.py": """
                from app import cache

                def lookup_user(key):
                    return cache._REGISTRY.get(key), cache.client
            """,
            "pyproject.toml": '[tool.monosplit.pins]\nservices = { orders = ["app.orders"], users = ["app.users"] }\n',
        }
    )
    analysis = run_analysis(root)
    variables = {n for n, d in analysis.graph.nodes(data=True) if d["kind"] == "variable"}
    assert variables == {"app.cache._REGISTRY", "app.cache.client"}
    state = {(u, v) for u, v, k in analysis.graph.edges(keys=True) if k == "state"}
    assert ("app.orders.remember_order", "app.cache._REGISTRY") in state
    assert ("app.users.lookup_user", "app.cache._REGISTRY") in state
    pins = load_pins(root, analysis, build_unit_graph(analysis.graph))
    problems = suggest(analysis, pins=pins).plan.problems
    shared_state = [p for p in problems if p.kind == "shared-state"]
    assert len(shared_state) == 1 and "app.cache._REGISTRY" in shared_state[0].message
    assert shared_state[0].services == ("orders", "users")


def test_calls_passing_objects_across_services_are_problems(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "shop/__init__.py": "",
            "shop/models.py": """
                class Order:
                    __tablename__ = "orders"
            """,
            "shop/billing.py": """
                from shop.models import Order

                def charge(order: Order, amount_cents):
                    return amount_cents

                def refund(order_id, amount_cents):
                    return amount_cents
            """,
            "shop/checkout.py": """
                from shop.billing import charge, refund
                from shop.models import Order

                def checkout(total):
                    order = Order()
                    charge(order, total)
                    refund(42, total)
                    return order
            """,
            "pyproject.toml": "[tool.monosplit.pins]\n"
            'services = { billing = ["shop.billing"], orders = ["shop.checkout", "shop.models"] }\n',
        }
    )
    analysis = run_analysis(root)
    pins = load_pins(root, analysis, build_unit_graph(analysis.graph))
    problems = [p for p in suggest(analysis, pins=pins).plan.problems if p.kind == "non-json-call"]
    assert [p.symbols for p in problems] == [("shop.checkout.checkout", "shop.billing.charge")]
    assert "shop.models.Order instance" in problems[0].message
    assert "order: shop.models.Order" in problems[0].message


def test_queries_beside_the_owners_code_move_to_the_owner(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "app/__init__.py": "",
            "app/catalog.py": """
                from sqlalchemy import select

                class Title:
                    __tablename__ = "titles"

                def create_title(session, name):
                    session.add(Title())

                def list_titles(session):
                    return session.scalars(select(Title))

                def title_for(session, title_id):
                    return session.get(Title, title_id)
            """,
            "app/streaming.py": """
                from app.catalog import title_for

                class PlaybackSession:
                    __tablename__ = "playback_sessions"

                def start(session, title_id):
                    title_for(session, title_id)
                    title_for(session, title_id)
                    session.add(PlaybackSession())

                def stop(session, title_id):
                    title_for(session, title_id)
                    session.add(PlaybackSession())
            """,
        }
    )
    plan = suggest(run_analysis(root), target_services=2).plan
    owner = plan.service_of()
    assert owner["app.catalog.Title"] != owner["app.streaming.PlaybackSession"]
    assert owner["app.catalog.title_for"] == owner["app.catalog.Title"]
    assert not [p for p in plan.problems if p.kind == "foreign-read"]


def _judged(sizes: tuple[tuple[str, int], ...]) -> Verdict:
    """The verdict on a large, loosely coupled web app whose plan has services of these sizes (lines)."""
    metrics = Metrics(SM=0.4, ICP=0.05, IFN=1.0, NED=0.5, cross_service_calls=3, shared_tables=0,
                      services=len(sizes), sizes=sizes)  # fmt: skip
    packages = Metrics(SM=0.1, ICP=0.3, IFN=2.0, NED=0.5, cross_service_calls=9, shared_tables=0,
                       services=4)  # fmt: skip
    return judge(lines=40_000, symbols=900, shared=50, routes=120, plan=metrics, packages=packages,
                 scaling="unknown")  # fmt: skip


def test_a_plan_whose_largest_service_holds_most_of_the_code_is_not_microservices() -> None:
    # a CTF platform's plan: three services, one with 87% of the code
    verdict = _judged((("challenges", 34_800), ("teams", 3_000), ("awards", 2_200)))
    assert verdict.recommendation == "two-tier"
    assert dict(verdict.conditions)["one_service_dominates"] is True
    assert "challenges" in verdict.reasons[0] and "87%" in verdict.reasons[0]
    assert not [reason for reason in verdict.reasons if "separable" in reason]
    balanced = _judged((("challenges", 14_000), ("teams", 13_000), ("awards", 13_000)))
    assert balanced.recommendation == "microservices"
    assert dict(balanced.conditions)["one_service_dominates"] is False


def test_one_service_is_never_called_separable() -> None:
    verdict = _judged((("blog", 40_000),))
    assert verdict.recommendation != "microservices"
    assert not [reason for reason in verdict.reasons if "separable" in reason]
    assert any("one service: nothing is separated" in reason for reason in verdict.reasons)
