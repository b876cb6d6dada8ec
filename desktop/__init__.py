"""回头看工作台: a desktop workbench for a township's poverty-alleviation look-back campaign."""

from importlib import metadata

APP_NAME = "回头看工作台"
APP_ID = "huitoukan"

try:
    __version__ = metadata.version("huitoukan")
except metadata.PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"
