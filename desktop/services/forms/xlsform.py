"""A questionnaire written as an XLSForm workbook (.xlsx), read as a form description.

People who build questionnaires in China mostly know XLSForm (ODK, KoboToolbox), so a county's
own questionnaire may be a workbook instead of JSON. The reader turns its three sheets into the
same raw description the JSON files hold, and the one loader (`engine.parse_form`) checks it, so
both formats mean the same thing and are refused for the same mistakes. What pyxform reads
(`pyxform/xls2json.py`, `aliases.py`) is followed where it applies:

- `survey`: one row per answer. Columns `type`, `name`, `label` (required), `relevant`,
  `constraint`, `constraint_message`, `required`, `calculation`, `hint` (ignored), and ours:
  `level` (error/warning: whether a broken constraint blocks review), `number` (the printed
  number, 4—1), `text` (the paper's paragraph with `{name}` for each answer), `style` (header,
  question, signature), `skip` (the paper's 如填X直接跳转至Y: `否 → Q5；C级危房维修加固 → Q8_2`,
  `否 → end`), `unit`, `prefill`, `sep`, `blank_mm`. A row without `text` joins the paragraph
  above when that paragraph names it (`{Q1b}`), else it is a paragraph of its own, printed as
  its label followed by its answer. `note` rows are paragraphs without an answer; `begin group`
  / `end group` make sections (name = section id, label = title).
- `choices`: `list_name`, `name` (the stored value, printed after its circled number), `label`
  (printed instead when it differs).
- `settings`: `form_title` (required), `form_id` (the file's name when absent), and ours:
  `source`, `note`, `subject`, `households`, `page_size`, `orientation`, `margin_top` …
  `margin_left`, `title_pt`, `label_pt`, `value_pt` ….

Expressions are written as in XLSForm (`${Q4_1} = '是'`, `.` for the answer itself in its
constraint, `selected(${Q8_4}, '无厕所')`) and become the engine's expression language. Every
refusal names the file, the sheet, the row and the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import get_column_letter

from desktop.engine import FORMAT_VERSION, FormDescription, FormDescriptionError, parse_form
from desktop.engine.parsing import Vocabulary
from desktop.engine.sections.questions import CIRCLED
from desktop.services.roster.sheet import RosterError, display_text, open_workbook

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
SKIP_TO_END = ("end", "结束")
_ASCII_SPACE = " \t\r\n"  # a paragraph's 　 (U+3000) and a `sep` of 　 are the paper's own

# Column name → the name it stands for (pyxform's aliases of the columns we read).
_SURVEY_ALIASES = {
    "relevance": "relevant",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "caption": "label",
}
SURVEY_COLUMNS = (
    "type", "name", "label", "relevant", "constraint", "constraint_message", "required",
    "calculation", "level", "number", "text", "style", "skip", "unit", "prefill", "sep",
    "blank_mm",
)  # fmt: skip
# Presentation-only columns of XLSForm with nothing to print on our paper: read and ignored.
_IGNORED_SURVEY = ("hint", "guidance_hint", "appearance", "image", "audio", "video", "big-image",
                   "required_message", "media")  # fmt: skip
_REQUIRED_SURVEY = ("type", "name", "label")
CHOICE_COLUMNS = ("list_name", "name", "label")
_NUMBER_SETTINGS = {
    "margin_top": ("page", "top"), "margin_right": ("page", "right"),
    "margin_bottom": ("page", "bottom"), "margin_left": ("page", "left"),
    "title_pt": ("style", "title_pt"), "section_pt": ("style", "section_pt"),
    "label_pt": ("style", "label_pt"), "value_pt": ("style", "value_pt"),
    "min_pt": ("style", "min_pt"), "line_mm": ("style", "line_mm"),
}  # fmt: skip
_TEXT_SETTINGS = ("form_title", "form_id", "source", "note", "subject", "households",
                  "page_size", "orientation")  # fmt: skip
_IGNORED_SETTINGS = ("version", "instance_name", "default_language", "style", "public_key",
                     "submission_url", "allow_choice_duplicates", "namespaces",
                     "clean_text_values", "auto_send", "auto_delete")  # fmt: skip
DEFAULT_MARGINS_MM = {"top": 14, "right": 16, "bottom": 14, "left": 18}
_YES = ("yes", "true", "true()", "1", "是")
_NO = ("", "no", "false", "false()", "0", "否")
_LEVELS = {"error": "error", "错误": "error", "warning": "warning", "警告": "warning"}
# A column named in the loader's place (`….skip.goto`), for the message.
_COLUMN_OF_PLACE = {
    "skip": "skip", "relevant": "relevant", "computed": "calculation", "check": "constraint",
    "constraint": "constraint", "text": "text", "type": "type", "choices": "type",
    "prefill": "prefill", "level": "level", "label": "label", "name": "name", "unit": "unit",
    "sep": "sep", "blank_mm": "blank_mm", "choice_labels": "label", "required": "required",
}  # fmt: skip


@dataclass
class _Place:
    """Where a piece of the description came from: a sheet's row, and the question there."""

    sheet: str
    row: int
    question: str = ""


@dataclass
class _Places:
    """The rows the raw description was built from, to name them in a refusal."""

    answers: dict[str, _Place] = field(default_factory=dict)
    paragraphs: dict[tuple[int, int], _Place] = field(default_factory=dict)
    numbers: dict[tuple[int, str], _Place] = field(default_factory=dict)
    sections: dict[int, _Place] = field(default_factory=dict)
    section_ids: dict[str, _Place] = field(default_factory=dict)


class _Reader:
    """One workbook being read; `fail` names the file, sheet, row and question."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.places = _Places()

    def fail(self, place: _Place, problem: str, column: str = "") -> FormDescriptionError:
        """Return the refusal for a row of a sheet."""
        where = f"{place.sheet} 表第 {place.row} 行"
        if place.question:
            where += f"（{place.question}）"
        if column:
            where += f"，{column} 列"
        return FormDescriptionError(f"{self.path.name}：{where}：{problem}", where=where,
                                    problem=problem)  # fmt: skip

    # -- sheets -----------------------------------------------------------------------------

    def sheets(self) -> dict[str, list[list[str]]]:
        """Every sheet as rows of text (12.0 → "12"), by lower-case name."""
        try:
            book = open_workbook(self.path)
            out = {}
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                out[name.strip().lower()] = [[display_text(v) for v in row] for row in rows]
        except RosterError as exc:
            raise FormDescriptionError(f"{self.path.name}：{exc}") from exc
        except Exception as exc:  # calamine's own errors, in English
            raise FormDescriptionError(f"{self.path.name}：无法读取（文件已损坏）") from exc
        for needed in (SURVEY, SETTINGS):
            if needed not in out:
                raise FormDescriptionError(
                    f"{self.path.name}：缺少工作表“{needed}”（XLSForm 需要 survey、choices、"
                    "settings 三张表）",
                    where=needed,
                    problem="缺少工作表",
                )
        return out

    def table(self, rows: list[list[str]], sheet: str, known, required, ignored=()):
        """The sheet's rows as {column: text} with their row numbers; columns checked."""
        if not rows or not any(c.strip() for c in rows[0]):
            raise self.fail(_Place(sheet, 1), "第 1 行应为列名（type、name、label …）")
        header = []
        for i, raw in enumerate(rows[0]):
            name = raw.strip().lower()
            base = name.split("::", 1)[0]  # label::Chinese (zh) is the label in that language
            name = _SURVEY_ALIASES.get(base, base) if sheet == SURVEY else base
            if "::" in raw and name in header:
                name = ""  # label::English beside label::中文: the first language is printed
            elif name and name not in known and base not in ignored:
                allowed = "、".join(known)
                raise self.fail(_Place(sheet, 1), f"未知的列“{raw}”（可用：{allowed}）",
                                get_column_letter(i + 1))  # fmt: skip
            header.append(name if name in known else "")
        missing = [c for c in required if c not in header]
        if missing:
            raise self.fail(_Place(sheet, 1), f"缺少列 {'、'.join(missing)}")
        for name in set(header) - {""}:
            if header.count(name) > 1:
                raise self.fail(_Place(sheet, 1), f"列 {name} 出现了两次")
        out = []
        for number, row in enumerate(rows[1:], start=2):
            values = {h: row[i].strip(_ASCII_SPACE) if h not in ("sep",) else row[i]
                      for i, h in enumerate(header) if h and i < len(row)}  # fmt: skip
            if any(v.strip() for v in values.values()):
                out.append((number, values))
        return out

    # -- settings ---------------------------------------------------------------------------

    def settings(self, rows: list[list[str]]) -> dict[str, Any]:
        """The top of the description from the settings sheet's one row of values."""
        known = (*_TEXT_SETTINGS, *_NUMBER_SETTINGS)
        table = self.table(rows, SETTINGS, known, ("form_title",), _IGNORED_SETTINGS)
        if len(table) != 1:
            raise self.fail(_Place(SETTINGS, 2), "settings 表应有且只有一行设置（第 2 行）")
        row, values = table[0]
        place = _Place(SETTINGS, row)
        code = values.get("form_id") or self.path.stem
        if code != self.path.stem:
            raise self.fail(place, f"form_id “{code}”应与文件名“{self.path.stem}”相同", "form_id")
        if not values.get("form_title"):
            raise self.fail(place, "form_title（问卷标题）不能为空", "form_title")
        raw: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "code": code,
            "title": values["form_title"],
            "page": {
                "size": values.get("page_size") or "A4",
                "orientation": values.get("orientation") or "portrait",
                "margins_mm": dict(DEFAULT_MARGINS_MM),
            },
        }
        for key in ("source", "note", "subject", "households"):
            if values.get(key):
                raw[key] = values[key]
        for key, (part, name) in _NUMBER_SETTINGS.items():
            if values.get(key):
                number = _number(values[key])
                if number is None:
                    raise self.fail(place, f"{key} 应为数字，而不是 {values[key]!r}", key)
                target = raw["page"]["margins_mm"] if part == "page" else raw.setdefault(part, {})
                target[name] = number
        return raw

    # -- choices ----------------------------------------------------------------------------

    def choices(self, rows: list[list[str]] | None) -> dict[str, list[tuple[str, str, int]]]:
        """List name → [(value, printed label, row)]."""
        if rows is None:
            return {}
        lists: dict[str, list[tuple[str, str, int]]] = {}
        everything = tuple(c for c in (rows[0] if rows else []) if c.strip())
        known = tuple(dict.fromkeys((*CHOICE_COLUMNS, *(c.strip().lower() for c in everything))))
        for row, values in self.table(rows, CHOICES, known, CHOICE_COLUMNS):
            list_name, value = values.get("list_name", ""), values.get("name", "")
            place = _Place(CHOICES, row, value)
            if not list_name:
                raise self.fail(place, "list_name（选项表名）不能为空", "list_name")
            if not value:
                raise self.fail(place, "name（选项的值）不能为空", "name")
            items = lists.setdefault(list_name, [])
            if any(v == value for v, _label, _row in items):
                raise self.fail(place, f"选项表 {list_name} 中“{value}”重复", "name")
            items.append((value, values.get("label") or value, row))
        return lists

    # -- survey -----------------------------------------------------------------------------

    def survey(self, rows: list[list[str]], lists) -> list[dict[str, Any]]:
        """The sections of the description, from the survey sheet's rows."""
        table = self.table(rows, SURVEY, SURVEY_COLUMNS, _REQUIRED_SURVEY, _IGNORED_SURVEY)
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        group_style = ""
        in_group = False
        for row, values in table:
            kind = " ".join(values.get("type", "").lower().split())
            place = _Place(SURVEY, row, _question_name(values))
            if kind in ("begin group", "begin_group"):
                if in_group:
                    raise self.fail(place, "问卷不支持组中套组（begin group 之前缺少 end group）")
                name = values.get("name", "")
                if not name:
                    raise self.fail(place, "begin group 需要 name（分节代码）", "name")
                current = self._section(sections, name, values.get("label", ""), place)
                group_style, in_group = values.get("style", ""), True
                continue
            if kind in ("end group", "end_group"):
                if not in_group:
                    raise self.fail(place, "end group 之前没有 begin group")
                current, group_style, in_group = None, "", False
                continue
            if not kind:
                raise self.fail(place, "type（题型）不能为空", "type")
            if kind.startswith(("begin repeat", "begin_repeat", "end repeat", "end_repeat")):
                raise self.fail(place, "问卷不支持重复组（repeat）", "type")
            if current is None:
                current = self._section(sections, _free_section_id(sections), "", place)
            self._row(current, len(sections) - 1, row, values, kind, lists, group_style)
        if in_group:
            raise self.fail(_Place(SURVEY, table[-1][0] if table else 1), "缺少 end group")
        if not sections:
            raise self.fail(_Place(SURVEY, 2), "survey 表没有题目")
        return sections

    def _section(self, sections: list, section_id: str, title: str, place: _Place) -> dict:
        if section_id in self.places.section_ids:
            raise self.fail(place, f"分节代码 {section_id} 重复", "name")
        section = {"id": section_id, "kind": "questions", "title": title, "questions": []}
        sections.append(section)
        self.places.sections[len(sections) - 1] = place
        self.places.section_ids[section_id] = place
        return section

    def _row(self, section, index, row, values, kind, lists, group_style) -> None:
        name, number = values.get("name", ""), values.get("number", "")
        place = _Place(SURVEY, row, _question_name(values))
        questions = section["questions"]
        style = values.get("style") or group_style
        if kind == "note":
            question = {"number": number, "text": values.get("text") or values.get("label", "")}
            self._paragraph(questions, index, question, style, place)
            return
        if not name:
            raise self.fail(place, "name（字段代码）不能为空", "name")
        if name in self.places.answers:
            other = self.places.answers[name]
            raise self.fail(place, f"字段代码 {name} 重复（另见第 {other.row} 行）", "name")
        answer = self._answer(values, kind, lists, place)
        above = questions[-1] if questions else None
        joins = (above is not None and not values.get("text")
                 and f"{{{name}}}" in above["text"])  # fmt: skip
        if joins:
            if number and number != above.get("number", ""):
                raise self.fail(place, f"与上一题（{above.get('number')}）同段，题号应相同",
                                "number")  # fmt: skip
            above["answers"].append(answer)
            if above.get("number"):
                place.question = f"第{above['number']}题 {name}"
        else:
            text = values.get("text") or f"{values.get('label', '')}{{{name}}}"
            question = {"number": number, "text": text, "answers": [answer]}
            self._paragraph(questions, index, question, style, place)
        self.places.answers[name] = place

    def _paragraph(self, questions: list, index: int, question: dict, style: str, place):
        if style:
            question["style"] = style
        if not question["number"]:
            del question["number"]
        else:
            self.places.numbers[(index, question["number"])] = place
        question.setdefault("answers", [])
        questions.append(question)
        self.places.paragraphs[(index, len(questions) - 1)] = place

    def _answer(self, values: dict[str, str], kind: str, lists, place: _Place) -> dict:
        name = values["name"]
        parts = kind.split()
        answer: dict[str, Any] = {"type": parts[0], "name": name}
        if parts[0] in ("select_one", "select_multiple"):
            if len(parts) != 2:
                raise self.fail(place, f"“{kind}”应写作“{parts[0]} 选项表名”", "type")
            if parts[1] not in lists:
                raise self.fail(place, f"choices 表中没有选项表“{parts[1]}”", "type")
            items = lists[parts[1]]
            answer["choices"] = [v for v, _label, _row in items]
            labels = {v: label for v, label, _row in items if label != v}
            if labels:
                answer["choice_labels"] = labels
        elif len(parts) != 1:
            raise self.fail(place, f"题型“{kind}”不合法", "type")
        elif parts[0] == "calculate":
            raise self.fail(place, "不支持隐藏的 calculate 题；请用 integer、decimal 或 money "
                            "题型加 calculation 列（计算结果印在纸上）", "type")  # fmt: skip
        if values.get("label"):
            answer["label"] = values["label"]
        for key in ("unit", "prefill", "sep"):
            if values.get(key):
                answer[key] = values[key]
        for key in ("relevant", "constraint", "calculation"):
            if values.get(key):
                answer[key] = xlsform_expression(values[key], name)
        if values.get("constraint_message"):
            answer["constraint_message"] = values["constraint_message"]
        required = values.get("required", "").lower()
        if required not in (*_YES, *_NO):
            raise self.fail(place, f"required 应为 yes 或 no，而不是“{values['required']}”",
                            "required")  # fmt: skip
        if required in _YES:
            answer["required"] = True
        level = values.get("level", "")
        if level:
            if level.lower() not in _LEVELS:
                raise self.fail(place, "level 应为 error（不允许通过审核）或 warning（警告，"
                                "说明原因后可通过）", "level")  # fmt: skip
            if _LEVELS[level.lower()] == "warning":
                answer["level"] = "warning"
        if values.get("blank_mm"):
            length = _number(values["blank_mm"])
            if length is None:
                raise self.fail(place, f"blank_mm 应为数字，而不是“{values['blank_mm']}”",
                                "blank_mm")  # fmt: skip
            answer["blank_mm"] = length
        if values.get("skip"):
            answer["skip"] = self._skips(values["skip"], answer.get("choices", []), place)
        return answer

    def _skips(self, text: str, choices: list[str], place: _Place):
        skips = []
        for part in re.split(r"[;；\n]", text):
            if not part.strip():
                continue
            pieces = re.split(r"→|->", part)
            if len(pieces) != 2 or not all(p.strip() for p in pieces):
                raise self.fail(place, f"跳转“{part.strip()}”应写作“答案 → 题目代码”"
                                "（如“否 → Q5”，结束问卷写“否 → end”）", "skip")  # fmt: skip
            when, goto = (p.strip() for p in pieces)
            if len(when) == 1 and when in CIRCLED and CIRCLED.index(when) < len(choices):
                when = choices[CIRCLED.index(when)]  # ② → the second choice, as printed
            skips.append({"if": when, "goto": "end" if goto in SKIP_TO_END else goto})
        return skips[0] if len(skips) == 1 else skips

    # -- loader errors -----------------------------------------------------------------------

    def locate(self, exc: FormDescriptionError) -> FormDescriptionError:
        """The loader's refusal, naming the sheet, row and question instead of its path."""
        where = exc.where
        place = self._place_of(where)
        if place is None:
            return FormDescriptionError(f"{self.path.name}：{exc.problem}", where=where,
                                        problem=exc.problem)  # fmt: skip
        columns = re.findall(r"\.([a-z_]+)", where)
        column = next((_COLUMN_OF_PLACE[c] for c in reversed(columns) if c in _COLUMN_OF_PLACE),
                      "")  # fmt: skip
        return self.fail(place, exc.problem, column)

    def _place_of(self, where: str) -> _Place | None:
        for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", where):
            if token in self.places.answers:
                return self.places.answers[token]
        found = re.search(r"sections\[(\d+)\]\.questions\[(\d+)\]", where)
        if found:
            return self.places.paragraphs.get((int(found[1]), int(found[2])))
        found = re.search(r"sections\[(\d+)\] 第(.+?)题", where)
        if found:
            return self.places.numbers.get((int(found[1]), found[2]))
        found = re.search(r"sections\[(\d+)\]", where)
        if found:
            return self.places.sections.get(int(found[1]))
        found = re.search(r"section (\S+)", where)
        if found and found[1].split(".")[0] in self.places.section_ids:
            return self.places.section_ids[found[1].split(".")[0]]
        if where.split(".")[0] in ("format", "code", "title", "page", "style", "subject",
                                   "households", "source", "note", "顶层"):  # fmt: skip
            return _Place(SETTINGS, 2)
        return None


def read_xlsform(path: Path | str) -> dict[str, Any]:
    """Return the raw description of an XLSForm workbook (the dict a JSON file would hold)."""
    return _read(_Reader(Path(path)))


def load_xlsform(path: Path | str, vocabulary: Vocabulary) -> FormDescription:
    """Load and check an XLSForm workbook; a refusal names the file, sheet, row and question."""
    reader = _Reader(Path(path))
    raw = _read(reader)
    try:
        return parse_form(raw, vocabulary, source=reader.path.name, path=reader.path)
    except FormDescriptionError as exc:
        raise reader.locate(exc) from exc


def _read(reader: _Reader) -> dict[str, Any]:
    sheets = reader.sheets()
    raw = reader.settings(sheets[SETTINGS])
    raw["sections"] = reader.survey(sheets[SURVEY], reader.choices(sheets.get(CHOICES)))
    return raw


def xlsform_expression(text: str, self_name: str) -> str:
    """An XLSForm expression in the engine's words: ${Q4} → Q4, `.` → the answer itself,
    `=` → `==`, selected(${Q8}, 'x') → 'x' in Q8, true() → True."""
    out: list[str] = []
    i, quote = 0, ""
    while i < len(text):
        c = text[i]
        if quote:
            out.append(c)
            quote = "" if c == quote else quote
        elif c in "'\"":
            out.append(c)
            quote = c
        elif text.startswith("${", i):
            end = text.find("}", i)
            if end < 0:
                out.append(text[i:])
                break
            out.append(text[i + 2 : end].strip())
            i = end
        elif c == "." and not _digit_near(text, i):
            out.append(self_name)
        elif c == "=" and (i == 0 or text[i - 1] not in "!<>=") and text[i + 1 : i + 2] != "=":
            out.append("==")
        else:
            out.append(c)
        i += 1
    result = "".join(out)
    result = re.sub(r"\btrue\(\)", "True", result)
    result = re.sub(r"\bfalse\(\)", "False", result)
    return re.sub(
        r"selected\(\s*([A-Za-z_]\w*)\s*,\s*('[^']*'|\"[^\"]*\")\s*\)", r"(\2 in \1)", result
    )


def _digit_near(text: str, i: int) -> bool:
    return (i > 0 and text[i - 1].isdigit()) or text[i + 1 : i + 2].isdigit()


def _number(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _question_name(values: dict[str, str]) -> str:
    number, name = values.get("number", ""), values.get("name", "")
    return " ".join(p for p in (f"第{number}题" if number else "", name) if p)


def _free_section_id(sections: list) -> str:
    ids = {s["id"] for s in sections}
    n = 1
    while (candidate := "questions" if n == 1 else f"questions_{n}") in ids:
        n += 1
    return candidate
