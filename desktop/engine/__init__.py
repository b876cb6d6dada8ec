"""The form engine: paper forms described as data, and the one evaluator of their answers.

No Qt and no database: views, printing and services call it; it calls none of them.

Public API (everything else is internal):

- `parse_form(raw, vocabulary)` / `load_form_file(path, vocabulary)` → `FormDescription`
  (frozen dataclasses: `page`, `style`, `header`, `sections`, `signatures`, `rules`,
  `subject`; `fields`, `input_cells`, `entry_order`, `field_label(code)`), raising
  `FormDescriptionError` with the file and place. `Vocabulary` names the code lists, prefill
  sources and member fields a description may use (the forms service gives it).
- `VALUE_TYPES` / `value_type(name)` → `ValueType`: `parse(text)`, `check(value, choices)`,
  `format(value, choice_text)`, `round(value)`. Screen and paper format every value with it;
  `Cell.text(value)` and `GridColumn.text(value)` are the shortcuts for a field.
- `Evaluator(description, hooks).evaluate(answers, subject=, standard=, today=)` →
  `Evaluation` (`values`, `computed`, `skipped`, `required`, `issues`, `is_disabled(code)`,
  `issues_at(code)`), with `desktop.errors.FieldIssue` findings; `Evaluator.compute` and
  `Evaluator.skipped` alone too.
- `HookRegistry` (`add_compute`, `add_rule`), `HookContext`, `Finding`: Python a
  description calls as `hook:<name>`; unknown names fail when the evaluator is built.
- `SECTION_KINDS`: section kind name → its module (`grid`, `repeat`); a new kind is a module.
- `expressions.evaluate(expr, values)`, `expression_names(expr)`: the expression language.
"""

from desktop.engine.description import (
    FORMAT_VERSION,
    SUBJECT_KINDS,
    FormDescription,
    HeaderField,
    Rule,
    SignatureItem,
    load_form_file,
    parse_form,
)
from desktop.engine.evaluator import Evaluation, Evaluator
from desktop.engine.expressions import MissingValue, evaluate, expression_names
from desktop.engine.hooks import Finding, HookContext, HookRegistry
from desktop.engine.parsing import FormDescriptionError, Vocabulary
from desktop.engine.sections import SECTION_KINDS
from desktop.engine.sections.grid import Cell, GridSection, Skip
from desktop.engine.sections.repeat import GridColumn, RepeatSection
from desktop.engine.values import VALUE_TYPES, ValueType, is_blank, row_is_blank, value_type
from desktop.errors import FieldIssue

__all__ = [
    "FORMAT_VERSION", "SECTION_KINDS", "SUBJECT_KINDS", "VALUE_TYPES", "Cell", "Evaluation",
    "Evaluator", "FieldIssue", "Finding", "FormDescription", "FormDescriptionError", "GridColumn",
    "GridSection", "HeaderField", "HookContext", "HookRegistry", "MissingValue", "RepeatSection",
    "Rule", "SignatureItem", "Skip", "ValueType", "Vocabulary", "evaluate", "expression_names",
    "is_blank", "load_form_file", "parse_form", "row_is_blank", "value_type",
]  # fmt: skip
