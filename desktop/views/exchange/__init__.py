"""The exchange packages dialog (工具 → 交换包…): export, import, the conflicts to resolve."""
