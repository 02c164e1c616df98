"""`python -m nap_rules.cli`, as before the command line became a package: the command group."""

from . import main

if __name__ == "__main__":  # pragma: no cover
    main()
