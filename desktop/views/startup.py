"""What the application sets once at start: Chinese for Qt's own texts, the locale, the style."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop.paths import resources_dir
from desktop.views.tables import install_table_copier
from desktop.views.window_fit import install_screen_fitter

# Qt's own texts (OK/Cancel, Yes/No, the edit menu's Undo/Copy/Paste, the calendar, the file and
# print dialogs on Linux) come from these catalogues, shipped with PySide6 and in the bundle.
QT_CATALOGUES = ("qtbase",)
CHINESE = QLocale(
    QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China
)


def translation_dirs() -> list[Path]:
    """Folders that may hold Qt's .qm files: Qt's own path, PySide6's, the bundle's."""
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    import PySide6

    dirs.append(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle) / "PySide6" / "Qt" / "translations")
    return dirs


# Qt 6 texts that qtbase_zh_CN.qm leaves in English, seen under Xvfb in the file
# dialog (the catalogue has "Look in:" but Qt 6 asks for "&Look in:"): (context, source) → text.
QT_GAPS = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class GapTranslator(QTranslator):
    """Chinese for the few Qt texts the shipped catalogue misses (QT_GAPS)."""

    def translate(self, context, source, disambiguation=None, n=-1):
        """Qt asks here last, for a text no catalogue knew."""
        return QT_GAPS.get((context, source), "")

    def isEmpty(self) -> bool:
        """Not empty: Qt skips an empty translator."""
        return False


def install_chinese(app: QApplication) -> list[QTranslator]:
    """Set the Chinese locale and load Qt's Chinese catalogues; return the translators loaded."""
    QLocale.setDefault(CHINESE)
    # Installed first, so asked last: only what the catalogues below do not know reaches Python.
    gaps = GapTranslator(app)
    app.installTranslator(gaps)
    loaded: list[QTranslator] = [gaps]
    for catalogue in QT_CATALOGUES:
        for folder in translation_dirs():
            translator = QTranslator(app)
            if translator.load(CHINESE, catalogue, "_", str(folder)):
                app.installTranslator(translator)
                loaded.append(translator)
                break
            translator.deleteLater()
    return loaded


def apply_style(app: QApplication) -> None:
    """Apply the application's style sheet (resources/styles/app.qss) when it is there."""
    style = resources_dir() / "styles" / "app.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))


def prepare_application(app: QApplication) -> None:
    """Everything set before the first dialog: language, locale, style, windows that fit."""
    install_chinese(app)
    apply_style(app)
    install_screen_fitter(app)  # every window fits a 1366×768 laptop's screen
    install_table_copier(app)  # Ctrl+C in any table copies a block with headers, as in Excel
