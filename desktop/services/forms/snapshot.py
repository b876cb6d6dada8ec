"""The standard a completed form keeps: the campaign's standard fields and a version of them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# The campaign's columns a form's standard is made of.
STANDARD_FIELDS = (
    "province_profile", "standard_year", "income_threshold", "income_formula", "thresholds",
)  # fmt: skip


def standard_snapshot(campaign: Any) -> dict[str, Any]:
    """The campaign's standard as stored with a completed form, with a version of its content."""
    if campaign is None:
        return {}
    data = {k: getattr(campaign, k, None) for k in STANDARD_FIELDS}
    data["campaign"] = getattr(campaign, "name", "")
    digest = hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    data["version"] = digest[:10]
    return data
