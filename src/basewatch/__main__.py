"""``python -m basewatch``: the same as the ``basewatch`` command."""

from basewatch.cli import main

if __name__ == "__main__":
    main()
