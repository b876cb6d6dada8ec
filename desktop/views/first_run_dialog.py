"""FirstRunDialog: on an empty database, create the township or open the demo."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

CREATE = "create"
DEMO = "demo"


class FirstRunDialog(QDialog):
    """Asks for the county and township names, or offers the demo township."""

    def __init__(self, parent: QWidget | None = None, demo_target: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用回头看工作台")
        self.choice: str | None = None
        intro = QLabel(
            "这是一个空的数据库。请填写本乡镇的名称开始工作，"
            "或先打开演示数据（桃江县桃花江镇，26个村约3000户）熟悉软件。"
        )
        intro.setWordWrap(True)
        self.demo_target_label = QLabel(f"演示数据将写入：{demo_target}" if demo_target else "")
        self.demo_target_label.setWordWrap(True)
        self.demo_target_label.setStyleSheet("color: #555")
        self.demo_target_label.setVisible(bool(demo_target))
        self.county_edit = QLineEdit()
        self.county_edit.setPlaceholderText("例如：桃江县")
        self.township_edit = QLineEdit()
        self.township_edit.setPlaceholderText("例如：桃花江镇")
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        box = QGroupBox("建立本乡镇")
        form = QFormLayout(box)
        form.addRow("县（市、区）", self.county_edit)
        form.addRow("镇（乡、街道）", self.township_edit)
        self.create_button = QPushButton("建立乡镇")
        self.create_button.setDefault(True)
        self.demo_button = QPushButton("打开演示数据")
        self.cancel_button = QPushButton("以后再说")
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.demo_target_label)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def names(self) -> tuple[str, str]:
        """Return the county and township names entered."""
        return self.county_edit.text().strip(), self.township_edit.text().strip()

    def _on_create_clicked(self) -> None:
        county, township = self.names()
        if not county or not township:
            self.error_label.setText("请填写县名和乡镇名")
            return
        self.choice = CREATE
        self.accept()

    def _on_demo_clicked(self) -> None:
        self.choice = DEMO
        self.accept()

    @classmethod
    def run(
        cls, parent: QWidget | None = None, demo_target: str = ""
    ) -> tuple[tuple[str, str, str] | None, bool]:
        """Open the dialog; return ((choice, county, township), accepted).

        `demo_target` names the file the demo would be written to.
        """
        dialog = cls(parent, demo_target)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.choice is not None
        return ((dialog.choice, *dialog.names()) if accepted else None), accepted
