"""The demo carries department lists with every kind of hit and cases at every level."""

from __future__ import annotations

import datetime

from desktop.services.comparison.departments import MATCH_LABELS
from desktop.services.context import AppServices


def test_demo_has_every_kind_of_hit_and_case(demo_engine):
    services = AppServices(engine=demo_engine)
    hits = services.comparison.hits()
    assert {h.match_kind for h in hits} == set(MATCH_LABELS)  # ID, 15→18, name + birth
    assert any(h.left_household for h in hits)  # a son who left his household
    assert len({h.department for h in hits}) == 7
    cases = services.cases.cases()
    stages = {c.stage for c in cases}
    assert stages == {"verify", "review", "approve", "approved", "rejected"}
    sent_back = [
        c
        for c in cases
        if any(st.decision == "send_back" for st in services.cases.case(c.id).steps)
    ]
    assert sent_back
    on_paper = [c for c in cases if any(st.on_paper for st in services.cases.case(c.id).steps)]
    assert on_paper and on_paper[0].approved_by == "县扶贫办 陈局长"
    today = datetime.date.today()
    start = today - datetime.timedelta(days=60)
    removals = services.comparison.roster("removals", start, today)
    additions = services.comparison.roster("additions", start, today)
    assert removals.rows and additions.rows
    assert all("*" in r[7] for r in removals.rows)  # masked by default
