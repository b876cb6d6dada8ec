"""Command-line sub-commands; each module adds its parsers with `register(subparsers)`."""
