"""Write a questionnaire's JSON description as an XLSForm workbook (survey, choices, settings).

    python3 scripts/xlsform_from_json.py hunan_registered hunan_unregistered

reads resources/forms/<code>.json and writes resources/forms/xlsform/<code>.xlsx. The JSON stays
the source of the two Hunan questionnaires (its changes read as text in a review; a workbook is a
binary blob); the workbooks are what a county copies to start its own questionnaire, and
tests/services/forms/test_xlsform.py fails when one no longer gives the JSON's description (run
this script again after editing the JSON).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "resources" / "forms"
OUT = FORMS / "xlsform"
SURVEY = ("type", "name", "label", "required", "relevant", "constraint", "constraint_message",
          "level", "calculation", "number", "text", "style", "skip", "unit", "prefill", "sep",
          "blank_mm")  # fmt: skip
SETTINGS = ("form_id", "form_title", "source", "note", "subject", "households", "page_size",
            "orientation", "margin_top", "margin_right", "margin_bottom", "margin_left",
            "title_pt", "section_pt", "label_pt", "value_pt", "min_pt", "line_mm")  # fmt: skip
_NAME = re.compile(r"""('[^']*'|"[^"]*")|\b([A-Za-z_][A-Za-z0-9_]*)\b""")


def to_xlsform(expr: str, fields: set[str]) -> str:
    """An engine expression in XLSForm's words: Q4 → ${Q4}, == → = (text in quotes kept)."""

    def name(found: re.Match) -> str:
        if found[1]:
            return found[1]
        return f"${{{found[2]}}}" if found[2] in fields else found[2]

    return _NAME.sub(name, expr).replace("==", "=")


def convert(raw: dict) -> Workbook:
    """The workbook of one questionnaire description."""
    for key in ("header", "signatures", "rules"):
        if raw.get(key):
            raise SystemExit(f"{raw['code']}：顶层的 {key} 无法写成 XLSForm（请写成题目）")
    fields = {a["name"] for s in raw["sections"] for q in s["questions"] for a in q["answers"]}
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY)
    lists: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for section in raw["sections"]:
        if section.get("kind") != "questions":
            raise SystemExit(f"{raw['code']}：分节 {section['id']} 不是题目列表，无法写成 XLSForm")
        survey.append(_row(type="begin group", name=section["id"], label=section.get("title", "")))
        own = section.get("choices", {})
        for question in section["questions"]:
            if not question["answers"]:
                number, style = question.get("number", ""), question.get("style", "")
                survey.append(_row(type="note", number=number, text=question["text"], style=style))
            for k, answer in enumerate(question["answers"]):
                first = k == 0
                survey.append(
                    _row(
                        type=_type(answer, own, lists, labels),
                        name=answer["name"],
                        label=answer.get("label", answer["name"]),
                        required="yes" if answer.get("required") else "",
                        relevant=to_xlsform(answer.get("relevant", ""), fields),
                        constraint=to_xlsform(answer.get("constraint", ""), fields),
                        constraint_message=answer.get("constraint_message", ""),
                        level=answer.get("level", ""),
                        calculation=to_xlsform(answer.get("calculation", ""), fields),
                        number=question.get("number", "") if first else "",
                        text=question["text"] if first else "",
                        style=question.get("style", "") if first else "",
                        skip=_skip(answer.get("skip")),
                        unit=answer.get("unit", ""),
                        prefill=answer.get("prefill", ""),
                        sep=answer.get("sep", ""),
                        blank_mm=answer.get("blank_mm", ""),
                    )
                )
        survey.append(_row(type="end group"))
    choices = book.create_sheet("choices")
    choices.append(("list_name", "name", "label"))
    for list_name, values in lists.items():
        for value in values:
            choices.append((list_name, value, labels.get(list_name, {}).get(value, value)))
    settings = book.create_sheet("settings")
    settings.append(SETTINGS)
    page, style = raw["page"], raw.get("style", {})
    margins = page["margins_mm"]
    values = {
        "form_id": raw["code"], "form_title": raw["title"], "source": raw.get("source", ""),
        "note": raw.get("note", ""), "subject": raw.get("subject", ""),
        "households": raw.get("households", ""), "page_size": page["size"],
        "orientation": page["orientation"],
        **{f"margin_{k}": margins[k] for k in ("top", "right", "bottom", "left")},
        **{k: style.get(k, "") for k in SETTINGS if k.endswith(("_pt", "_mm"))},
    }  # fmt: skip
    settings.append([values[k] for k in SETTINGS])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = min(
                60, max(8, *(_width(c.value) for c in column))
            )
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    return book


def _row(**values) -> list:
    order = SURVEY
    return [values.get(k, "") if values.get(k, "") != "" else None for k in order]


def _type(answer: dict, own: dict, lists: dict, labels: dict) -> str:
    kind = answer.get("type", "text").split()
    if kind[0] not in ("select_one", "select_multiple"):
        return kind[0]
    if len(kind) == 2:
        lists.setdefault(kind[1], list(own[kind[1]]))
        name = kind[1]
    else:
        values = list(answer["choices"])
        # The same list written out twice (漏风漏雨 …) is one list in the workbook.
        name = next((n for n, v in lists.items() if v == values and n not in labels), None)
        name = name or answer["name"].lower()
        lists.setdefault(name, values)
    if answer.get("choice_labels"):
        name = f"{answer['name'].lower()}_labels"
        lists[name] = list(answer["choices"])
        labels[name] = dict(answer["choice_labels"])
    return f"{kind[0]} {name}"


def _skip(skip) -> str:
    if not skip:
        return ""
    items = skip if isinstance(skip, list) else [skip]
    return "；".join(f"{s['if']} → {s['goto']}" for s in items)


def _width(value) -> float:
    text = "" if value is None else str(value)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text) * 0.9 + 2


def main(codes: list[str]) -> int:
    """Write the workbook of each code."""
    OUT.mkdir(exist_ok=True)
    for code in codes or ["hunan_registered", "hunan_unregistered"]:
        raw = json.loads((FORMS / f"{code}.json").read_text(encoding="utf-8"))
        target = OUT / f"{code}.xlsx"
        convert(raw).save(target)
        print(f"{target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
