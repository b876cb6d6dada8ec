"""The personal-data policy: masked by default, full only where a role allows it."""

from __future__ import annotations

import pytest

from desktop.models.safety import ROLE_ADMIN, ROLE_CLERK, ROLE_REVIEWER
from desktop.services.actor import CurrentUser
from desktop.services.safety.auth import PermissionDeniedError
from desktop.services.safety.privacy import (
    check_full_export,
    display_account,
    display_id,
    export_id,
    is_masked,
    keep_unmasked,
    mask_account,
)

ID = "430922197003011234"
CLERK = CurrentUser("李录入", ROLE_CLERK)
REVIEWER = CurrentUser("王审核", ROLE_REVIEWER)
ADMIN = CurrentUser("王站长", ROLE_ADMIN)


def test_tables_and_search_results_are_masked_for_everyone():
    for user in (CLERK, REVIEWER, ADMIN, None):
        assert display_id(ID, user) == "430922********1234"


def test_detail_shows_full_id_only_to_allowed_roles():
    assert display_id(ID, CLERK, detail=True) == "430922********1234"
    assert display_id(ID, REVIEWER, detail=True) == ID
    assert display_account("6217001234567890123", ADMIN, detail=True) == "6217001234567890123"
    assert display_account("6217001234567890123", CLERK, detail=True) == "6217***********0123"


def test_exports_are_masked_unless_full_ids_are_asked_for():
    assert export_id(ID, full_ids=False) == "430922********1234"
    assert export_id(ID, full_ids=True) == ID
    with pytest.raises(PermissionDeniedError):
        check_full_export(CLERK)
    check_full_export(REVIEWER)


def test_masked_values_are_recognised_and_never_overwrite_real_ones():
    assert is_masked("430922********1234")
    assert not is_masked(ID)
    assert keep_unmasked("430922********1234", ID) == ID
    assert keep_unmasked("430922197003015678", ID) == "430922197003015678"
    assert keep_unmasked(mask_account("6217001234567890123"), "6217001234567890123") == (
        "6217001234567890123"
    )


def test_ids_in_text_are_found_as_with_the_look_back_first():
    # The pattern tests its first digit before looking back (faster); it finds exactly what
    # the plain form "not after a letter or digit, then [1-9]…" finds.
    import random
    import re

    from desktop.services.safety.privacy import _ID_IN_TEXT

    plain = re.compile(
        r"(?<![0-9A-Za-z])" + _ID_IN_TEXT.pattern.replace("[1-9](?<![0-9A-Za-z][1-9])", "[1-9]", 1)
    )
    assert plain.pattern != _ID_IN_TEXT.pattern
    rnd = random.Random(12)
    alphabet = "0123456789Xx aZ一-１９"
    for _ in range(50_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        if rnd.random() < 0.6:
            at = rnd.randint(0, len(text))
            number = rnd.choice(["43232519411119821", "43232541111982", "11010519491231002"])
            text = text[:at] + number + rnd.choice("0X5x") + text[at:]
        found = [m.span() for m in _ID_IN_TEXT.finditer(text)]
        assert found == [m.span() for m in plain.finditer(text)], text
