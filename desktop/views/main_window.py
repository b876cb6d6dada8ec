"""MainWindow: navigation tree, households and villages tables, menus for every job."""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.errors import AppError
from desktop.services.context import AppServices
from desktop.services.registry.query import warm_sort_keys
from desktop.views.background import run_in_background
from desktop.views.dialogs import confirm
from desktop.views.registry.households_page import HouseholdsPage
from desktop.views.registry.nav_tree import ALL_LEVEL, NavigationTree
from desktop.views.registry.villages_page import VillagesPage
from desktop.views.signals import hub
from desktop.views.window_fit import remember_geometry, restore_geometry

GEOMETRY_KEY = "main_window"  # the window's place and size in the user's settings
DEFAULT_SIZE = QSize(1280, 800)  # on a screen with room for it, when nothing is remembered
FIRST_PAGE = 300  # rows shown at once while the rest of the households load
COUNTS_LATER = 20_000  # households above which the villages' counts load after the first paint


class _LazyPage:
    """A feature tab's page as an attribute of the window, built when first asked for."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, window, owner=None):
        if window is None:
            return self
        return window._page(self.name)


class MainWindow(QMainWindow):
    """The workbench of one open database."""

    rows_loaded = Signal()

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._load_generation = 0
        self._loader = None
        self._pages: dict[str, QWidget] = {}  # feature tabs built so far, by attribute name
        self._unbuilt: dict[str, tuple[QWidget, str, Callable[[], QWidget]]] = {}
        self._ledger_scope: tuple[frozenset[int | None] | None, str] | None = None
        self._comparison_scope: tuple[frozenset[int] | None, str] | None = None
        restore_geometry(self, GEOMETRY_KEY, DEFAULT_SIZE)  # as last closed, fitted to this screen
        self.nav_tree = NavigationTree()
        self.households_page = HouseholdsPage()
        self.villages_page = VillagesPage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.households_page, "户籍")
        self.tabs.addTab(self.villages_page, "村")
        self._add_feature_tabs()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.nav_tree)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 1060])
        self.setCentralWidget(splitter)
        self.user_label = QLabel()
        self.demo_label = QLabel()  # says 演示数据 on the demo, where it stays in sight
        self.statusBar().addPermanentWidget(self.demo_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self._create_actions()
        self._create_menus()
        self._connect()
        self.reload()

    # --- actions: every QAction of the window is declared here -----------------------

    def _action(
        self, text: str, slot, shortcut: str | QKeySequence.StandardKey | None = None
    ) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        return act

    def _create_actions(self) -> None:
        action = self._action
        self.action_quit = action("退出", self.close, QKeySequence.StandardKey.Quit)
        self.action_reload = action("刷新", self.reload, QKeySequence.StandardKey.Refresh)
        self.action_find = action("查找户", self._on_find_triggered, QKeySequence.StandardKey.Find)
        self.action_add_household = action("新增户…", self._on_add_household_triggered, "Ctrl+N")
        self.action_edit_household = action("编辑户…", self._on_edit_household_triggered, "Ctrl+E")
        self.action_delete_household = action("删除户…", self._on_delete_household_triggered)
        self.action_add_village = action("新增村…", self._on_add_village_requested)
        self.action_edit_village = action("编辑村…", self._on_edit_village_triggered)
        self.action_delete_village = action("删除村…", self._on_delete_village_triggered)
        self.action_about = action("关于回头看工作台", self._on_about_triggered)
        self.action_guide = action("使用说明", self._on_guide_triggered, "F1")
        self.action_shortcuts = action("快捷键一览…", self._on_shortcuts_triggered)
        self._create_feature_actions()

    def _create_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("文件(&F)")
        self.household_menu = bar.addMenu("户(&H)")
        self.village_menu = bar.addMenu("村(&V)")
        self._fill_feature_menus()
        self.help_menu = bar.addMenu("帮助(&A)")
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_reload)
        self.file_menu.addAction(self.action_quit)
        self.household_menu.insertActions(
            self.household_menu.actions()[0] if self.household_menu.actions() else None,
            [
                self.action_find,
                self.action_add_household,
                self.action_edit_household,
                self.action_delete_household,
            ],
        )
        for act in (self.action_add_village, self.action_edit_village, self.action_delete_village):
            self.village_menu.addAction(act)
        self.help_menu.addAction(self.action_guide)
        self.help_menu.addAction(self.action_shortcuts)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.action_about)

    # --- feature hooks: other features add their tabs, actions and menu entries here ---

    # The feature tabs are built the first time they are shown or asked for (see _page): at
    # start-up only the households and villages are, so a new tab costs the start nothing.
    problem_ledger = _LazyPage()
    problem_dashboard = _LazyPage()
    inspections_page = _LazyPage()
    comparison_page = _LazyPage()
    standards_page = _LazyPage()
    questionnaires_page = _LazyPage()

    def _add_feature_tabs(self) -> None:
        self._add_lazy_tab("problem_ledger", "整改台账", self._build_problem_ledger)
        self._add_lazy_tab("problem_dashboard", "整改看板", self._build_problem_dashboard)
        self._add_lazy_tab("inspections_page", "督查", self._build_inspections_page)
        self._add_lazy_tab("comparison_page", "部门比对", self._build_comparison_page)
        self._add_lazy_tab("standards_page", "摸底表（附件2–6）", self._build_standards_page)
        self._add_lazy_tab("questionnaires_page", "调查问卷", self._build_questionnaires_page)

    def _build_problem_ledger(self) -> QWidget:
        from desktop.views.problems.problem_ledger import ProblemLedgerWidget

        ledger = ProblemLedgerWidget(self.services)
        if self._ledger_scope is not None:
            ledger.set_scope(*self._ledger_scope)
        return ledger

    def _build_problem_dashboard(self) -> QWidget:
        from desktop.views.problems.problem_dashboard import ProblemDashboardWidget

        return ProblemDashboardWidget(self.services)

    def _build_inspections_page(self) -> QWidget:
        from desktop.views.inspections.inspections_page import InspectionsPage

        return InspectionsPage(self.services)

    def _build_comparison_page(self) -> QWidget:
        from desktop.views.comparison.comparison_page import ComparisonPage

        page = ComparisonPage(self.services)
        if self._comparison_scope is not None:
            page.set_scope(*self._comparison_scope)
        return page

    def _build_standards_page(self) -> QWidget:
        from desktop.views.standards.standards_page import StandardsPage

        return StandardsPage(self.services)

    def _build_questionnaires_page(self) -> QWidget:
        from desktop.views.questionnaires.questionnaires_page import QuestionnairesPage

        return QuestionnairesPage(self.services)

    def _create_feature_actions(self) -> None:
        action = self._action
        self.action_import_roster = action(
            "导入花名册…", self._on_import_roster_triggered, "Ctrl+I"
        )
        self.action_export_roster = action("导出花名册…", self._on_export_roster_triggered)
        self.action_roster_template = action("保存花名册模板…", self._on_roster_template_triggered)
        self.action_import_department_list = action(
            "导入部门比对名单…", self._on_import_department_list_triggered
        )
        self.action_verification_form = action(
            "填写入户核查表…", lambda: self._open_form("verification"), "F6"
        )
        self.action_collection_form = action(
            "填写农户信息采集表…", lambda: self._open_form("collection"), "F7"
        )
        self.action_raise_problem = action("登记问题…", self._on_raise_problem_triggered)
        self.action_inspections = action(
            "督查（抽样、整改函、季度档案）",
            lambda: self.tabs.setCurrentWidget(self.inspections_page),
        )
        self.action_print_verification = action(
            "打印入户核查表…", lambda: self._print("verification"), "Ctrl+P"
        )
        self.action_print_collection = action(
            "打印农户信息采集表…", lambda: self._print("collection")
        )
        self.action_print_blank_verification = action(
            "打印空白入户核查表…", lambda: self._print_blank("verification")
        )
        self.action_print_blank_collection = action(
            "打印空白农户信息采集表…", lambda: self._print_blank("collection")
        )
        self.action_history = action("修改历史…", self._on_history_triggered, "Ctrl+H")
        self.action_backup = action("备份与恢复…", self._on_backup_triggered)
        self.action_connection = action("数据库连接…", self._on_connection_triggered)
        self.action_users = action("用户管理…", self._on_users_triggered)
        self.action_unit_roles = action("责任单位对照…", self._on_unit_roles_triggered)
        self.action_exchange = action("交换包…", self._on_exchange_triggered)
        self.action_audit_log = action("操作日志…", self._on_audit_log_triggered, "Ctrl+L")
        self.action_switch_user = action("切换用户…", self._on_switch_user_triggered)

    def _fill_feature_menus(self) -> None:
        for act in (
            self.action_import_roster,
            self.action_export_roster,
            self.action_roster_template,
            self.action_import_department_list,
        ):
            self.file_menu.addAction(act)
        self.household_menu.addSeparator()
        for act in (
            self.action_verification_form,
            self.action_collection_form,
            self.action_raise_problem,
            self.action_history,
        ):
            self.household_menu.addAction(act)
        self.print_menu = self.menuBar().addMenu("打印(&P)")
        for act in (self.action_print_verification, self.action_print_collection):
            self.print_menu.addAction(act)
        self.print_menu.addSeparator()
        for act in (self.action_print_blank_verification, self.action_print_blank_collection):
            self.print_menu.addAction(act)
        self.tools_menu = self.menuBar().addMenu("工具(&T)")
        for act in (
            self.action_inspections,
            self.action_backup,
            self.action_connection,
            self.action_exchange,
            self.action_unit_roles,
            self.action_users,
            self.action_audit_log,
            self.action_switch_user,
        ):
            self.tools_menu.addAction(act)

    # --- tabs built on first show -----------------------------------------------------

    def _add_lazy_tab(self, name: str, label: str, build: Callable[[], QWidget]) -> None:
        placeholder = QWidget()
        self.tabs.addTab(placeholder, label)
        self._unbuilt[name] = (placeholder, label, build)

    def _page(self, name: str) -> QWidget:
        """Return a feature tab's page, building it in its tab's place the first time."""
        page = self._pages.get(name)
        if page is not None:
            return page
        placeholder, label, build = self._unbuilt.pop(name)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            page = build()
        except BaseException:
            self._unbuilt[name] = (placeholder, label, build)  # the next show tries again
            raise
        finally:
            QApplication.restoreOverrideCursor()
        self._pages[name] = page
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)  # the swap is not the user changing tabs
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, label)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(blocked)
        placeholder.deleteLater()
        return page

    def _on_tabs_current_changed(self, index: int) -> None:
        shown = self.tabs.widget(index)
        for name, (placeholder, _label, _build) in list(self._unbuilt.items()):
            if placeholder is shown:
                self._page(name)
                return

    # --- wiring and loading ------------------------------------------------------------

    def _connect(self) -> None:
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.nav_tree.node_selected.connect(self._on_nav_tree_node_selected)
        self.households_page.household_activated.connect(self._on_household_activated)
        self.households_page.village_chosen.connect(self._on_households_page_village_chosen)
        self.villages_page.add_requested.connect(self._on_add_village_requested)
        self.villages_page.edit_requested.connect(self._on_edit_village_requested)
        self.villages_page.delete_requested.connect(self._on_delete_village_requested)
        self.villages_page.village_activated.connect(self._on_village_activated)
        hub().registry_changed.connect(self.reload)
        hub().form_changed.connect(self._on_hub_form_changed)
        hub().status_message.connect(self._on_hub_status_message)
        hub().user_changed.connect(self._update_title)

    def reload(self) -> None:
        """Load the tree, the villages and the households again from the database.

        The first page of households shows at once; the rest (100,000 rows at county scale
        take about half a second) loads off the GUI thread and replaces it. At county scale the
        villages' counts (0.2 s: they read every household) load off the GUI thread too, just
        before the rest of the households: the file has one connection.
        """
        registry = self.services.registry
        self.nav_tree.set_nodes(registry.tree())
        self._load_generation += 1
        generation = self._load_generation
        counts_later = registry.household_count() > COUNTS_LATER
        if counts_later:
            self.households_page.set_villages(registry.villages())
        else:  # the counted villages fill the filter too: one query, not two
            villages = registry.village_summaries()
            self.villages_page.set_rows(villages)
            self.households_page.set_villages(villages)
        first = registry.household_rows(limit=FIRST_PAGE)
        self.households_page.set_rows(first, complete=len(first) < FIRST_PAGE)
        # Before the loaders start: they hold the file's one connection for a while, and the
        # title's query would wait for them (0.7 s at county scale before the window painted).
        self._update_title()
        if counts_later:
            self._loader = run_in_background(
                registry.village_summaries,
                lambda villages: self._on_villages_loaded(generation, villages),
                self._on_loader_failed,
                self,
            )
        elif len(first) >= FIRST_PAGE:
            self._load_rest(generation)

    def _on_villages_loaded(self, generation: int, villages) -> None:
        if generation == self._load_generation:  # a newer reload supersedes this one
            self.villages_page.set_rows(villages)
            self._load_rest(generation)

    def _load_rest(self, generation: int) -> None:
        self._loader = run_in_background(
            self._load_all_rows,
            lambda rows: self._on_loader_done(generation, rows),
            self._on_loader_failed,
            self,
        )

    def _load_all_rows(self) -> list:
        """Runs off the GUI thread: every row, with the name sort keys computed."""
        rows = self.services.registry.household_rows()
        warm_sort_keys(rows)
        return rows

    def _on_loader_done(self, generation: int, rows) -> None:
        if generation == self._load_generation:  # a newer reload supersedes this one
            self.households_page.set_rows(rows, complete=True)
            # 100,000 rows make every full garbage collection slow (a first sort took 160 ms
            # instead of 45); the rows hold no cycles, so take them out of the collector's view.
            gc.freeze()
            self.rows_loaded.emit()

    def _on_loader_failed(self, message: str) -> None:
        QMessageBox.warning(self, "载入失败", f"户籍表未能全部载入：{message}")

    def wait_for_rows(self, timeout_ms: int = 10000) -> bool:
        """Wait (processing events) until every household row is loaded; for tests and tools."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer

        deadline = QDeadlineTimer(timeout_ms)
        while not self.households_page.is_complete() and not deadline.hasExpired():
            QCoreApplication.processEvents()
        return self.households_page.is_complete()

    def _update_title(self) -> None:
        from desktop.views.database_name import DEMO_STYLE, DEMO_WARNING, is_demo, window_caption

        self.setWindowTitle(window_caption(self.services, f"{APP_NAME} {__version__}"))
        demo = is_demo(self.services)
        self.demo_label.setText("演示数据（虚构，勿录入真实信息）" if demo else "")
        self.demo_label.setToolTip(DEMO_WARNING if demo else "")
        self.demo_label.setStyleSheet(DEMO_STYLE.replace("padding: 6px", "padding: 0 6px"))
        self.demo_label.setVisible(demo)
        user = self.services.user
        from desktop.services.safety.auth import ROLE_LABELS

        role = ROLE_LABELS.get(user.role, user.role)
        self.user_label.setText(f"当前用户：{user.name}（{role}）")

    def _current_township_id(self) -> int | None:
        node = self.nav_tree.selected_node()
        townships = self.services.registry.townships()
        if not townships:
            return None
        if node and node[0] == "township":
            return node[1]
        if node and node[0] in ("village", "group"):
            village_id = node[1] if node[0] == "village" else None
            for v in self.services.registry.villages():
                if v.id == village_id:
                    return v.township_id
        return townships[0][0]

    # --- slots -------------------------------------------------------------------------

    def _on_nav_tree_node_selected(self, level: str, node_id: int) -> None:
        scope = (
            None if level == ALL_LEVEL else self.services.registry.household_ids_in(level, node_id)
        )
        item = self.nav_tree.currentItem()
        place = item.text(0) if item else ""
        self.households_page.show_place(scope, self.nav_tree.village_of_selection(), place)
        # The ledger follows: a village's problems, or at a township or county also those of
        # its units, which belong to no village.
        villages = self.services.registry.village_ids_in(level, node_id)
        if villages is not None and level in ("county", "township"):
            villages.add(None)
        self._ledger_scope = (None if villages is None else frozenset(villages), place)
        if "problem_ledger" in self._pages:  # else the ledger takes the scope when it is built
            self.problem_ledger.set_scope(*self._ledger_scope)
        # 部门比对 too, by village (a group's households are its village's there).
        shown = item.parent() if item is not None and level == "group" else item
        self._comparison_scope = (
            None if villages is None else frozenset(v for v in villages if v is not None),
            shown.text(0) if shown is not None else "",
        )
        if "comparison_page" in self._pages:
            self.comparison_page.set_scope(*self._comparison_scope)

    def _on_households_page_village_chosen(self, village_id: int | None) -> None:
        # One filter: the 村 box moves the tree, and the table shows the tree's node.
        before = self.nav_tree.selected_node()
        self.nav_tree.select_village(village_id)  # a new node tells the table itself
        node = self.nav_tree.selected_node()
        if node is not None and node == before:
            self._on_nav_tree_node_selected(*node)

    def _on_household_activated(self, household_id: int) -> None:
        from desktop.views.registry.household_dialog import HouseholdDialog

        HouseholdDialog.run(self.services, household_id, self)

    def _on_find_triggered(self) -> None:
        self.tabs.setCurrentWidget(self.households_page)
        self.households_page.search_edit.setFocus()
        self.households_page.search_edit.selectAll()

    def _on_add_household_triggered(self) -> None:
        node = self.nav_tree.selected_node()
        village_id = node[1] if node and node[0] == "village" else None
        if not self.services.registry.villages():
            QMessageBox.information(self, "新增户", "请先在“村”页新增村")
            return
        from desktop.views.registry.household_dialog import HouseholdDialog

        HouseholdDialog.run(self.services, None, self, village_id=village_id)

    def _on_edit_household_triggered(self) -> None:
        household_id = self.households_page.current_id()
        if household_id is None:
            QMessageBox.information(self, "编辑户", "请先在户籍表中选中一户")
            return
        from desktop.views.registry.household_dialog import HouseholdDialog

        HouseholdDialog.run(self.services, household_id, self)

    def _on_delete_household_triggered(self) -> None:
        ids = self.households_page.selected_ids()
        if not ids:
            QMessageBox.information(self, "删除户", "请先在户籍表中选中要删除的户")
            return
        if not confirm(
            self,
            "删除户",
            f"确定删除选中的 {len(ids)} 户及其成员和表单？此操作不能撤销。",
            default=False,
        ):
            return
        for household_id in ids:
            self.services.registry.delete_household(household_id)
        hub().registry_changed.emit()

    def _on_add_village_requested(self) -> None:
        township_id = self._current_township_id()
        if township_id is None:
            QMessageBox.information(self, "新增村", "请先建立乡镇")
            return
        from desktop.views.registry.village_dialog import VillageDialog

        _id, accepted = VillageDialog.run(self.services, township_id, None, self)
        if accepted:
            hub().registry_changed.emit()

    def _on_edit_village_triggered(self) -> None:
        village = self.villages_page.selected_village()
        if village is None:
            QMessageBox.information(self, "编辑村", "请先在“村”页选中一个村")
            return
        self._on_edit_village_requested(village.id)

    def _on_edit_village_requested(self, village_id: int) -> None:
        village = next((v for v in self.services.registry.villages() if v.id == village_id), None)
        if village is None:
            return
        from desktop.views.registry.village_dialog import VillageDialog

        _id, accepted = VillageDialog.run(self.services, village.township_id, village, self)
        if accepted:
            hub().registry_changed.emit()

    def _on_delete_village_triggered(self) -> None:
        village = self.villages_page.selected_village()
        if village is None:
            QMessageBox.information(self, "删除村", "请先在“村”页选中一个村")
            return
        self._on_delete_village_requested(village.id)

    def _on_delete_village_requested(self, village_id: int) -> None:
        try:
            self.services.registry.delete_village(village_id)
        except AppError as exc:
            QMessageBox.warning(self, "不能删除", str(exc))
            return
        hub().registry_changed.emit()

    def _on_village_activated(self, village_id: int) -> None:
        self.nav_tree.select_node("village", village_id)
        self.tabs.setCurrentWidget(self.households_page)

    def _on_hub_form_changed(self, _household_id: int, _form_code: str) -> None:
        self.reload()

    def _on_hub_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    def _on_import_roster_triggered(self) -> None:
        from desktop.views.roster.roster_import_dialog import RosterImportDialog

        _result, written = RosterImportDialog.run(self.services, self)
        if written:
            hub().registry_changed.emit()

    def _on_export_roster_triggered(self) -> None:
        from desktop.views.roster.roster_export_dialog import RosterExportDialog

        ids = self.households_page.selected_ids()
        scope = ids if len(ids) > 1 else None
        RosterExportDialog.run(self.services, self, household_ids=scope)

    def _on_roster_template_triggered(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from desktop.services.roster.template import write_template

        name, _ = QFileDialog.getSaveFileName(
            self, "保存花名册模板", "花名册模板.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if not name:
            return
        try:
            write_template(name)
        except OSError as exc:
            QMessageBox.warning(self, "未能保存", f"无法写出 {name}：{exc}")
            return
        hub().status_message.emit(f"已保存花名册模板：{name}")

    def _open_form(self, form_code: str) -> None:
        from desktop.views.forms.form_dialog import FormDialog

        household_id = self.households_page.current_id()
        if household_id is None:
            QMessageBox.information(self, "填写表单", "请先在户籍表中选中一户")
            return
        FormDialog.run(self.services, household_id, form_code, self)

    def _on_raise_problem_triggered(self) -> None:
        from desktop.views.problems.problem_dialog import ProblemDialog

        household_id = self.households_page.current_id()
        ProblemDialog.run(self.services, None, self, household_id=household_id)

    def _print(self, form_code: str) -> None:
        from desktop.views.forms.batch_print_dialog import print_forms

        ids = self.households_page.selected_ids()
        if not ids:
            ids = self.households_page.model.visible_ids()  # the village or filter shown
            if not ids:
                QMessageBox.information(self, "打印", "户籍表中没有要打印的户")
                return
            if not confirm(
                self,
                "打印",
                f"没有选中户。打印表中显示的全部 {len(ids)} 户（每户一份，按户编号排序）？",
            ):
                return
        self._printer = print_forms(self.services, ids, form_code, self)

    def _print_blank(self, form_code: str) -> None:
        from desktop.views.forms.batch_print_dialog import print_forms

        self._printer = print_forms(self.services, None, form_code, self)

    def _on_history_triggered(self) -> None:
        from desktop.views.safety.history_dialog import HistoryDialog

        household_id = self.households_page.current_id()
        if household_id is None:
            QMessageBox.information(self, "修改历史", "请先在户籍表中选中一户")
            return
        HistoryDialog.run(self.services, "household", household_id, self)

    def _on_backup_triggered(self) -> None:
        from desktop.views.safety.backup_dialog import BackupDialog

        BackupDialog.run(self.services, self)

    def _on_connection_triggered(self) -> None:
        from desktop.views.safety.connection_dialog import ConnectionDialog

        _saved, done = ConnectionDialog.run(self.services, self)
        if done:
            QMessageBox.information(
                self, "数据库连接", "已保存。下次启动程序时将按新的设置打开数据库。"
            )

    def _on_unit_roles_triggered(self) -> None:
        from desktop.views.problems.unit_roles_dialog import UnitRolesDialog

        if UnitRolesDialog.run(self.services, self)[1]:
            hub().problems_changed.emit()

    def _on_exchange_triggered(self) -> None:
        from desktop.views.exchange.exchange_dialog import ExchangeDialog

        if ExchangeDialog.run(self.services, self)[1]:
            hub().registry_changed.emit()
            hub().problems_changed.emit()

    def _on_users_triggered(self) -> None:
        from desktop.views.safety.users_dialog import UsersDialog

        UsersDialog.run(self.services, self)

    def _on_audit_log_triggered(self) -> None:
        from desktop.views.safety.audit_log_dialog import AuditLogDialog

        AuditLogDialog.run(self.services, self)

    def _on_switch_user_triggered(self) -> None:
        from desktop.views.safety.login_dialog import LoginDialog

        LoginDialog.run(self.services, self)

    def _on_import_department_list_triggered(self) -> None:
        from desktop.views.comparison.import_dialog import ImportListDialog

        self.tabs.setCurrentWidget(self.comparison_page)
        ImportListDialog.run(self.services, self)

    def menu_actions(self) -> list[QAction]:
        """Every action of the menus, in menu order (the shortcut list reads them)."""
        out = []
        for top in self.menuBar().actions():
            menu = top.menu()
            if menu is not None:
                out += [a for a in menu.actions() if not a.isSeparator()]
        return out

    def _on_guide_triggered(self) -> None:
        from desktop.views.help_dialog import UserGuideDialog

        UserGuideDialog.run(self)

    def _on_shortcuts_triggered(self) -> None:
        from desktop.views.help_dialog import ShortcutsDialog

        ShortcutsDialog.run(self.menu_actions(), self)

    def _on_about_triggered(self) -> None:
        from desktop.views.database_name import database_name

        where = self.services.db_path or database_name(self.services)
        QMessageBox.about(
            self,
            "关于回头看工作台",
            f"{APP_NAME} {__version__}\n\n乡镇脱贫攻坚“回头看”工作台：户籍登记、入户核查、"
            f"问题整改台账与表格打印。\n\n数据库：{where}",
        )

    def closeEvent(self, event) -> None:
        """Remember where the window was and how big, for the next start."""
        remember_geometry(self, GEOMETRY_KEY)
        super().closeEvent(event)
