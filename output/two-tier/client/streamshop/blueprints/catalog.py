"""/api/catalog: browsing and search, plus admin maintenance of the catalog."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import catalog, inventory
from streamshop.utils.auth import admin_required
from streamshop.utils.pagination import parse_pagination
from streamshop.utils.validation import ValidationError, coerce_bool, coerce_int, get_json_body

bp = Blueprint("catalog", __name__, url_prefix="/api/catalog")


@bp.get("/titles")
def list_titles() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    prime = request.args.get("prime")
    result = catalog.list_titles(
        get_session(),
        page=page,
        per_page=per_page,
        kind=request.args.get("kind"),
        genre=request.args.get("genre"),
        prime=coerce_bool(prime, "prime") if prime is not None else None,
    )
    return jsonify(result.to_dict(catalog.serialize_title))


@bp.get("/titles/<int:title_id>")
def get_title(title_id: int) -> ResponseReturnValue:
    return jsonify(title=catalog.serialize_title(catalog.get_title(get_session(), title_id)))


@bp.post("/titles")
@admin_required
def create_title() -> ResponseReturnValue:
    title = catalog.create_title(get_session(), get_json_body())
    return jsonify(title=catalog.serialize_title(title)), 201


@bp.get("/products")
def list_products() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    in_stock = request.args.get("in_stock")
    max_price = request.args.get("max_price_cents")
    result = catalog.list_products(
        get_session(),
        page=page,
        per_page=per_page,
        category=request.args.get("category"),
        in_stock=coerce_bool(in_stock, "in_stock") if in_stock is not None else None,
        max_price_cents=coerce_int(max_price, "max_price_cents", minimum=0)
        if max_price is not None
        else None,
    )
    return jsonify(result.to_dict(catalog.serialize_product))


@bp.get("/products/<int:product_id>")
def get_product(product_id: int) -> ResponseReturnValue:
    product = catalog.get_product(get_session(), product_id)
    return jsonify(product=catalog.serialize_product(product))


@bp.post("/products")
@admin_required
def create_product() -> ResponseReturnValue:
    product = catalog.create_product(get_session(), get_json_body())
    return jsonify(product=catalog.serialize_product(product)), 201


@bp.patch("/products/<int:product_id>")
@admin_required
def update_product(product_id: int) -> ResponseReturnValue:
    product = catalog.update_product(get_session(), product_id, get_json_body())
    return jsonify(product=catalog.serialize_product(product))


@bp.post("/products/<int:product_id>/restock")
@admin_required
def restock_product(product_id: int) -> ResponseReturnValue:
    data = get_json_body()
    product = inventory.restock(
        get_session(),
        product_id,
        coerce_int(data.get("quantity"), "quantity", minimum=1),
        note=str(data.get("note", ""))[:500],
    )
    return jsonify(product=catalog.serialize_product(product))


@bp.get("/products/<int:product_id>/movements")
@admin_required
def list_stock_movements(product_id: int) -> ResponseReturnValue:
    movements = inventory.stock_movements(get_session(), product_id)
    return jsonify(items=[inventory.serialize_movement(m) for m in movements])


@bp.get("/inventory/low-stock")
@admin_required
def low_stock() -> ResponseReturnValue:
    threshold = coerce_int(
        request.args.get("threshold", inventory.DEFAULT_LOW_STOCK_THRESHOLD), "threshold", minimum=0
    )
    return jsonify(
        threshold=threshold, items=inventory.low_stock_report(get_session(), threshold=threshold)
    )


@bp.post("/inventory/restock-low")
@admin_required
def restock_low_stock() -> ResponseReturnValue:
    data = get_json_body()
    restocked = inventory.bulk_restock_low_stock(
        get_session(),
        threshold=coerce_int(
            data.get("threshold", inventory.DEFAULT_LOW_STOCK_THRESHOLD), "threshold", minimum=0
        ),
        amount=coerce_int(data.get("amount", 100), "amount", minimum=1),
    )
    return jsonify(restocked_products=restocked)


@bp.get("/search")
def search() -> ResponseReturnValue:
    query = request.args.get("q", "")
    if not query:
        raise ValidationError("query parameter q is required")
    limit = coerce_int(request.args.get("limit", catalog.MAX_SEARCH_RESULTS), "limit", minimum=1,
                       maximum=catalog.MAX_SEARCH_RESULTS)
    return jsonify(catalog.search_catalog(get_session(), query, limit=limit))


@bp.get("/genres")
def list_genres() -> ResponseReturnValue:
    return jsonify(genres=catalog.list_genres(get_session()))
