"""Qt dialogs for users, sign-in, the audit log, history and backups."""
