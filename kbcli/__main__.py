"""Allow ``python -m kbcli``."""

from kbcli.main import main

if __name__ == "__main__":
    main()
