"""Special-category data (GDPR art. 9): fields marked `x-special-category` in the event schemas, and who sees them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel

from libs.events.auth.principal import Principal
from libs.events.auth.roles import SPECIAL_CATEGORY_READERS


@cache
def special_category_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of a payload model marked special-category (`json_schema_extra` with `x-special-category`)."""
    return frozenset(name for name, field in model.model_fields.items()
                     if isinstance(field.json_schema_extra, Mapping)
                     and field.json_schema_extra.get("x-special-category"))


def reads_special_categories(principal: Principal) -> bool:
    """Whether the principal's work needs special-category data (OPS social workers, CIS workers)."""
    return principal.has_role(*SPECIAL_CATEGORY_READERS)


def without_special_categories(model: type[BaseModel], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The data without the model's special-category fields, and the names of those withheld (present ones)."""
    special = special_category_fields(model)
    withheld = sorted(k for k in special if data.get(k) is not None)
    return {k: v for k, v in data.items() if k not in special}, withheld
