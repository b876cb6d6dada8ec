"""Every dialog opens through one verb; every editing dialog asks before throwing edits away."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

import desktop.views
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.views.background import JobDialog
from desktop.views.dialogs import RUN_VERB, EditingDialog
from desktop.views.problems.problem_dialog import ProblemDialog
from tests.problem_fixtures import clear_problems, problem


def view_dialogs() -> list[type[QDialog]]:
    """Every QDialog subclass defined in desktop.views."""
    found = {}
    for info in pkgutil.walk_packages(desktop.views.__path__, "desktop.views."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, QDialog)
                and cls.__module__ == module.__name__
                and cls not in (EditingDialog, JobDialog)  # bases: they open nothing themselves
                and not cls.__name__.startswith("_")  # a private base opens nothing itself
            ):
                found[cls.__qualname__] = cls
    return [found[name] for name in sorted(found)]


def test_the_views_have_dialogs():
    names = {cls.__name__ for cls in view_dialogs()}
    assert {"ProblemDialog", "HouseholdDialog", "FormDialog", "PrintPreviewDialog"} <= names


@pytest.mark.parametrize("dialog", view_dialogs(), ids=lambda cls: cls.__name__)
def test_every_dialog_opens_through_run_only(dialog):
    own = {
        name: value
        for klass in dialog.__mro__
        if klass.__module__.startswith("desktop.")
        for name, value in vars(klass).items()
        if isinstance(value, classmethod | staticmethod) and not name.startswith("_")
    }
    assert RUN_VERB in own, f"{dialog.__name__} has no {RUN_VERB}() class method"
    assert isinstance(own[RUN_VERB], classmethod)
    others = sorted(set(own) - {RUN_VERB})
    assert not others, f"{dialog.__name__} opens through {others}; use {RUN_VERB}()"
    returns = inspect.signature(own[RUN_VERB].__func__).return_annotation
    assert "tuple" in str(returns), f"{dialog.__name__}.run must return (value, accepted)"


@pytest.mark.parametrize(
    "name", ["HouseholdDialog", "VillageDialog", "ProblemDialog", "FormDialog"]
)
def test_editing_dialogs_share_the_unsaved_changes_question(name):
    dialog = next(cls for cls in view_dialogs() if cls.__name__ == name)
    assert issubclass(dialog, EditingDialog)
    assert "may_close" not in vars(dialog) and "reject" not in vars(dialog)


def saved_problem(services, demo_engine) -> int:
    return services.problems.save(problem(services.problems, demo_engine), "刘芳")


@pytest.fixture
def services(demo_engine):
    clear_problems(demo_engine)
    return AppServices(engine=demo_engine, user=CurrentUser(name="刘芳"))


@pytest.fixture
def answers(monkeypatch):
    """What the unsaved-changes question answers, in order; records what it asked."""
    state = {"answers": [], "asked": []}

    def question(parent, title, text, *args, **kwargs):
        state["asked"].append((title, text))
        return state["answers"].pop(0) if state["answers"] else QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    return state


def _open(qtbot, services, problem_id):
    dialog = ProblemDialog(services, problem_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _edit(dialog):
    dialog.description_edit.setPlainText("房屋屋面漏雨，厨房墙体开裂")
    dialog.cause_edit.setPlainText("年久失修")
    dialog.measures_edit.setPlainText("维修屋面，加固墙体")


def test_problem_dialog_asks_before_throwing_edits_away(qtbot, services, answers, demo_engine):
    problem_id = saved_problem(services, demo_engine)
    dialog = _open(qtbot, services, problem_id)
    dialog.reject()  # nothing edited: closes without a question
    assert not dialog.isVisible() and answers["asked"] == []

    dialog = _open(qtbot, services, problem_id)
    _edit(dialog)
    answers["answers"].append(QMessageBox.StandardButton.Cancel)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()  # 关闭
    assert dialog.isVisible()
    assert answers["asked"][-1][0] == "尚未保存"
    assert dialog.description_edit.toPlainText() == "房屋屋面漏雨，厨房墙体开裂"

    answers["answers"].append(QMessageBox.StandardButton.Save)
    dialog.close()  # the window's ×
    assert not dialog.isVisible()
    saved = services.problems.get(problem_id)
    assert (saved.description, saved.cause, saved.measures) == (
        "房屋屋面漏雨，厨房墙体开裂",
        "年久失修",
        "维修屋面，加固墙体",
    )


def test_problem_dialog_discard_keeps_the_database_as_it_was(qtbot, services, answers, demo_engine):
    problem_id = saved_problem(services, demo_engine)
    before = services.problems.get(problem_id).description
    dialog = _open(qtbot, services, problem_id)
    _edit(dialog)
    answers["answers"].append(QMessageBox.StandardButton.Discard)
    dialog.reject()  # Esc
    assert not dialog.isVisible()
    assert services.problems.get(problem_id).description == before


def test_a_workflow_step_is_not_an_unsaved_edit(qtbot, services, answers, demo_engine):
    problem_id = saved_problem(services, demo_engine)
    dialog = _open(qtbot, services, problem_id)
    dialog.start_button.click()
    dialog.reject()
    assert answers["asked"] == []


def test_a_dialogs_buttons_say_what_they_do_and_leave_with_esc(qtbot):
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    from desktop.views.dialogs import dialog_buttons

    done = []
    saving = QDialog()
    qtbot.addWidget(saving)
    buttons = dialog_buttons(saving, "保存并重新评估", on_accept=lambda: done.append("saved"))
    kinds = QDialogButtonBox.StandardButton
    assert buttons.button(kinds.Save).text() == "保存并重新评估"
    assert buttons.button(kinds.Cancel).text() == "取消"
    buttons.button(kinds.Save).click()
    assert done == ["saved"] and saving.result() == QDialog.DialogCode.Rejected  # not yet closed
    adding = QDialog()
    qtbot.addWidget(adding)
    buttons = dialog_buttons(adding, "添加", "关闭")
    assert [buttons.button(k).text() for k in (kinds.Ok, kinds.Cancel)] == ["添加", "关闭"]
    buttons.button(kinds.Ok).click()
    assert adding.result() == QDialog.DialogCode.Accepted


def _open_prefilled(qtbot, services, demo_engine):
    """登记问题… from a household's 核查表: the paper's entries carried over, nothing typed yet."""
    import datetime

    from desktop.views.problems.problem_prefill import FORM_SOURCE, ProblemPrefill
    from tests.problem_fixtures import household_id

    prefill = ProblemPrefill(
        description="无安全饮水",
        measures="接通自来水",
        found_date=datetime.date(2024, 5, 20),
        source=FORM_SOURCE,
    )
    dialog = ProblemDialog(
        services, None, household_id=household_id(demo_engine, 3), prefill=prefill
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_prefilled_new_problem_closed_untouched_asks_nothing(
    qtbot, services, answers, demo_engine
):
    dialog = _open_prefilled(qtbot, services, demo_engine)
    assert dialog.description_edit.toPlainText() == "无安全饮水"  # the paper's entries are shown
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()  # 关闭
    assert not dialog.isVisible() and answers["asked"] == []
    assert services.problems.rows() == []


def test_a_prefilled_new_problem_asks_once_the_clerk_types(qtbot, services, answers, demo_engine):
    from PySide6.QtCore import Qt

    from tests.views.keyboard import type_text

    dialog = _open_prefilled(qtbot, services, demo_engine)
    dialog.cause_edit.setFocus()
    type_text(qtbot, dialog.cause_edit, "管网未通")
    answers["answers"].append(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and answers["asked"][-1][0] == "尚未保存"
    assert dialog.cause_edit.toPlainText() == "管网未通"

    answers["answers"].append(QMessageBox.StandardButton.Discard)
    dialog.close()
    assert not dialog.isVisible() and services.problems.rows() == []
