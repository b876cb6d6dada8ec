"""Qt dialogs for the roster import (preview, mapping, result) and export."""
