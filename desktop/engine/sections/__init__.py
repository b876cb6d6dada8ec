"""Section kinds: one module each, registered in `SECTION_KINDS` by the name a file uses.

A kind module gives `KIND` (its name), `parse(ctx, raw, where)` returning a frozen section
dataclass, and `check_rows(section, value)` returning (message, row) findings for answers that
are more than one value. A section object offers `id`, `title`, `kind`, `width_mm`,
`height_mm`, `page_break_before`, `inputs` (single-value input cells in entry order), `entries`
(its answer keys in entry order) and `labels` (its printed texts). Adding a kind (a question
list, a row table with subtotal rows) is a new module here and one line below; the view and the
printer each keep a table of how to draw a kind.
"""

from __future__ import annotations

from types import ModuleType

from desktop.engine.sections import grid, questions, repeat

SECTION_KINDS: dict[str, ModuleType] = {
    grid.KIND: grid,
    repeat.KIND: repeat,
    questions.KIND: questions,
}
