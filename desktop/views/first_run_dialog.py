"""FirstRunDialog: on an empty database, create the township, open the demo, or (on the
county's server) copy a township's database file into it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
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
COPY = "copy"  # a township's SQLite file copied whole into the county's empty server database


class FirstRunDialog(QDialog):
    """Asks for the county and township names, or offers the demo township."""

    def __init__(
        self, parent: QWidget | None = None, demo_target: str = "", offer_copy: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用回头看工作台")
        self.choice: str | None = None
        self.source = ""  # the township file to copy (COPY)
        intro = QLabel(
            "这是一个空的数据库。请填写本乡镇的名称开始工作，"
            "或先打开演示数据（桃江县桃花江镇，26个村约3000户）熟悉软件。"
            + ("也可以把一个乡镇已有的数据库文件整个复制进来。" if offer_copy else "")
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
        self.copy_button = QPushButton("复制乡镇数据库…")
        self.copy_button.setToolTip(
            "把一个乡镇的数据库文件（.sqlite3）整个复制到这个县数据库：全部成功或全部不变"
        )
        self.copy_button.setVisible(offer_copy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.copy_button)
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
        self.copy_button.clicked.connect(self._on_copy_clicked)
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

    def _on_copy_clicked(self) -> None:
        source, _filter = QFileDialog.getOpenFileName(
            self, "选择乡镇数据库文件", "", "回头看工作台数据库 (*.sqlite3 *.db);;所有文件 (*)"
        )
        if source:
            self.source = source
            self.choice = COPY
            self.accept()

    @classmethod
    def run(
        cls, parent: QWidget | None = None, demo_target: str = "", offer_copy: bool = False
    ) -> tuple[tuple[str, str, str, str] | None, bool]:
        """Open the dialog; return ((choice, county, township, source file), accepted).

        `demo_target` names the file the demo would be written to; `offer_copy` offers to
        copy a township's file (the county's server).
        """
        dialog = cls(parent, demo_target, offer_copy)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.choice is not None
        answer = (dialog.choice, *dialog.names(), dialog.source)
        return (answer if accepted else None), accepted
