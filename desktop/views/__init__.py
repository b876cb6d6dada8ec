"""Qt widgets, dialogs and item models; views talk to services, never to the database."""
