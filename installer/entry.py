"""Entry point of the bundled executables: the same `huitoukan` command as the console script."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
