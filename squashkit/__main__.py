"""``python -m squashkit``: the same CLI as the ``squashkit`` console script."""

from squashkit.cli import main

if __name__ == "__main__":
    main()
