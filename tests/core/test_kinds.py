"""catalog.Kind: every kind of failure has one named constant, and the names are the catalog's keys."""

from __future__ import annotations

from chatwithtech_magic import errors
from chatwithtech_magic.catalog import BY_CODE, BY_STATUS, BY_TYPE, CATALOG, Kind


def constants() -> dict[str, str]:
    return {name: value for name, value in vars(Kind).items() if name.isupper()}


def test_every_kind_in_the_catalog_has_a_constant_and_every_constant_a_kind():
    assert sorted(constants().values()) == sorted(CATALOG)
    assert all(name == value.upper() for name, value in constants().items())


def test_the_constants_are_the_strings_panels_and_notebooks_show():
    assert Kind.MODEL_NOT_FOUND == "model_not_found" and isinstance(Kind.MODEL_NOT_FOUND, str)
    assert errors.kind_named(Kind.BUDGET_REACHED).kind == "budget_reached"


def test_the_lookup_tables_lead_only_to_kinds_of_the_catalog():
    assert set(BY_CODE.values()) | set(BY_TYPE.values()) | set(BY_STATUS.values()) <= set(CATALOG)


def test_errors_is_where_the_kinds_are_found():
    assert errors.Kind is Kind
