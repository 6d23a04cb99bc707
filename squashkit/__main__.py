"""``python -m squashkit``: the same CLI as the ``squashkit`` console script."""

from squashkit.cli import run

if __name__ == "__main__":
    run()
