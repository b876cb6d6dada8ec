"""ProblemDashboardWidget: 整改率 at a glance — overall, by area, unit and village; lists of
overdue problems and of those due this week; charts a township head reads without help."""

from __future__ import annotations

import datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems.data import ProblemRow
from desktop.services.problems.ledger import RateSummary
from desktop.services.problems.rules import (
    DUE_SOON_DAYS,
    NO_RATE,
    RATE_FORMULA,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    RateRow,
)
from desktop.views.problems.problem_dialog import ProblemDialog
from desktop.views.signals import hub

STATUS_COLOURS = {
    STATUS_OPEN: "#9e9e9e",
    STATUS_IN_PROGRESS: "#4a90d9",
    STATUS_AWAITING: "#f0ad4e",
    STATUS_CLOSED: "#5cb85c",
}
OVERDUE_COLOUR = "#d9534f"
DUE_SOON_COLOUR = "#e0a800"
RATE_TABLE_HEADERS = ("名称", "问题数", "应整改", "已销号", "逾期", "延期", "整改率")
LIST_HEADERS = ("问题编号", "问题对象", "问题描述", "责任单位", "责任人", "整改时限", "情况")


class _Card(QFrame):
    """A number with a caption, as on a wall board."""

    def __init__(self, caption: str, colour: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"_Card {{ border-left: 5px solid {colour}; }}")
        self.value_label = QLabel("0")
        font = QFont()
        font.setPointSize(20)
        font.setBold(True)
        self.value_label.setFont(font)
        self.value_label.setStyleSheet(f"color: {colour};")
        self.caption_label = QLabel(caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)

    def set_value(self, text: str) -> None:
        """Show a new figure."""
        self.value_label.setText(text)


def _rate_table() -> QTableWidget:
    table = QTableWidget(0, len(RATE_TABLE_HEADERS))
    table.setHorizontalHeaderLabels(RATE_TABLE_HEADERS)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(False)
    return table


def _list_table() -> QTableWidget:
    table = QTableWidget(0, len(LIST_HEADERS))
    table.setHorizontalHeaderLabels(LIST_HEADERS)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    return table


class ProblemDashboardWidget(QWidget):
    """The 整改看板 tab; reloads whenever problems change."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.problems = services.problems
        self.problems.ensure_reference_data()
        self.summary: RateSummary | None = None
        self.overdue_rows: list[ProblemRow] = []
        self.due_rows: list[ProblemRow] = []
        self._build()
        self.reload()
        hub().problems_changed.connect(self._on_hub_problems_changed)

    def _build(self) -> None:
        self.rate_card = _Card("整改率", "#2e7d32")
        self.rate_detail = QLabel()
        self.formula_label = QLabel(RATE_FORMULA)
        self.formula_label.setWordWrap(True)
        self.formula_label.setStyleSheet("color: #555;")
        self.cards = {
            STATUS_OPEN: _Card(STATUS_OPEN, STATUS_COLOURS[STATUS_OPEN]),
            STATUS_IN_PROGRESS: _Card(STATUS_IN_PROGRESS, STATUS_COLOURS[STATUS_IN_PROGRESS]),
            STATUS_AWAITING: _Card(STATUS_AWAITING, STATUS_COLOURS[STATUS_AWAITING]),
            STATUS_CLOSED: _Card(STATUS_CLOSED, STATUS_COLOURS[STATUS_CLOSED]),
            "逾期": _Card("已逾期", OVERDUE_COLOUR),
            "本周到期": _Card(f"{DUE_SOON_DAYS}天内到期", DUE_SOON_COLOUR),
            "延期": _Card("办理过延期", "#7b61ff"),
        }
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.reload)
        rate_box = QVBoxLayout()
        rate_box.addWidget(self.rate_card)
        rate_box.addWidget(self.rate_detail)
        top = QHBoxLayout()
        top.addLayout(rate_box)
        for card in self.cards.values():
            top.addWidget(card)
        top.addStretch(1)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)

        self.status_chart = QChartView()
        self.status_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.area_chart = QChartView()
        self.area_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.status_chart.setMinimumHeight(260)
        self.area_chart.setMinimumHeight(260)

        self.overdue_table = _list_table()
        self.due_table = _list_table()
        self.area_table = _rate_table()
        self.unit_table = _rate_table()
        self.village_table = _rate_table()
        self.lists = QTabWidget()
        self.lists.addTab(self.overdue_table, "逾期问题")
        self.lists.addTab(self.due_table, f"{DUE_SOON_DAYS}天内到期")
        self.lists.addTab(self.area_table, "按问题领域")
        self.lists.addTab(self.unit_table, "按责任单位")
        self.lists.addTab(self.village_table, "按村")
        self.overdue_table.doubleClicked.connect(self._on_overdue_table_double_clicked)
        self.due_table.doubleClicked.connect(self._on_due_table_double_clicked)

        grid = QGridLayout(self)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.formula_label, 1, 0, 1, 2)
        grid.addWidget(self.status_chart, 2, 0)
        grid.addWidget(self.area_chart, 2, 1)
        grid.addWidget(self.lists, 3, 0, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(3, 2)

    # --- figures -----------------------------------------------------------------------

    def reload(self, today: datetime.date | None = None) -> None:
        """Recount everything from the database."""
        today = today or datetime.date.today()
        rows = self.problems.rows()
        self.summary = summary = self.problems.rates(today, rows)
        overall = summary.overall
        self.rate_card.set_value(overall.rate_text)
        if overall.due:
            detail = f"已销号 {overall.closed} ÷ 应整改 {overall.due}"
        else:
            detail = "尚无到期问题，整改率暂不计算"
        self.rate_detail.setText(detail)
        for status in (STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_AWAITING, STATUS_CLOSED):
            self.cards[status].set_value(str(summary.by_status.get(status, 0)))
        self.overdue_rows = sorted(
            (r for r in rows if r.overdue(today)), key=lambda r: (r.deadline, r.number)
        )
        self.due_rows = sorted(
            (r for r in rows if r.due_soon(today, DUE_SOON_DAYS)),
            key=lambda r: (r.deadline, r.number),
        )
        self.cards["逾期"].set_value(str(len(self.overdue_rows)))
        self.cards["本周到期"].set_value(str(len(self.due_rows)))
        self.cards["延期"].set_value(str(overall.extended))
        self._fill_list(self.overdue_table, self.overdue_rows, today, overdue=True)
        self._fill_list(self.due_table, self.due_rows, today, overdue=False)
        self._fill_rates(self.area_table, summary.by_area)
        self._fill_rates(self.unit_table, summary.by_unit)
        self._fill_rates(self.village_table, summary.by_village)
        self.lists.setTabText(0, f"逾期问题（{len(self.overdue_rows)}）")
        self.lists.setTabText(1, f"{DUE_SOON_DAYS}天内到期（{len(self.due_rows)}）")
        self._draw_status_chart(summary)
        self._draw_area_chart(summary.by_area)

    def _fill_list(
        self, table: QTableWidget, rows: list[ProblemRow], today: datetime.date, overdue: bool
    ) -> None:
        table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            days = (r.deadline - today).days
            state = f"逾期{-days}天" if overdue else ("今天到期" if days == 0 else f"还有{days}天")
            values = (
                r.number,
                r.target,
                r.description,
                r.unit_name,
                r.person_name,
                f"{r.deadline:%Y-%m-%d}",
                state,
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, r.id)
                if col == 6:
                    item.setForeground(QColor(OVERDUE_COLOUR if overdue else "#8a6d00"))
                table.setItem(n, col, item)
        table.resizeColumnToContents(0)
        table.resizeColumnToContents(5)

    @staticmethod
    def _fill_rates(table: QTableWidget, rates: list[RateRow]) -> None:
        table.setRowCount(len(rates))
        for n, rate in enumerate(rates):
            values = (
                rate.name,
                str(rate.total),
                str(rate.due),
                str(rate.closed),
                str(rate.overdue),
                str(rate.extended),
                rate.rate_text,
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if col == 6 and rate.rate is not None and rate.rate < 0.6:
                    item.setForeground(QColor(OVERDUE_COLOUR))
                table.setItem(n, col, item)

    def _draw_status_chart(self, summary: RateSummary) -> None:
        series = QPieSeries()
        series.setHoleSize(0.35)
        for status, colour in STATUS_COLOURS.items():
            count = summary.by_status.get(status, 0)
            if count:
                piece = series.append(f"{status} {count}", count)
                piece.setColor(QColor(colour))
                piece.setLabelVisible(False)  # the legend names each slice; labels get clipped
        chart = QChart()
        chart.addSeries(series)
        chart.setTitle(f"问题状态（共 {summary.overall.total} 个）")
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.status_chart.setChart(chart)

    def _draw_area_chart(self, by_area: list[RateRow]) -> None:
        # Reversed so the first area is drawn at the top of a horizontal bar chart.
        shown = [a for a in by_area][::-1]
        rates = QBarSet("整改率（%）")
        rates.setColor(QColor("#2e7d32"))
        names = []
        for a in shown:
            rates.append(round((a.rate or 0) * 100, 1))
            label = a.rate_text if a.rate is not None else NO_RATE
            names.append(f"{a.name}  {label}")
        series = QHorizontalBarSeries()
        series.append(rates)
        chart = QChart()
        chart.addSeries(series)
        chart.setTitle("各问题领域整改率（“—”表示尚无到期问题）")
        axis_y = QBarCategoryAxis()
        axis_y.append(names)
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat("%d%%")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        chart.legend().setVisible(False)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.area_chart.setChart(chart)

    # --- slots -------------------------------------------------------------------------

    def _on_hub_problems_changed(self) -> None:
        self.reload()

    def _open_from(self, table: QTableWidget, index) -> None:
        item = table.item(index.row(), 0)
        if item is not None:
            ProblemDialog.run(self.services, item.data(Qt.ItemDataRole.UserRole), self)

    def _on_overdue_table_double_clicked(self, index) -> None:
        self._open_from(self.overdue_table, index)

    def _on_due_table_double_clicked(self, index) -> None:
        self._open_from(self.due_table, index)
