"""Allow ``python -m kbcli``."""

from kbcli.cli.main import main

if __name__ == "__main__":
    main()
