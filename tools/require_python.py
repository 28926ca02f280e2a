"""Stop `make` at once, with one plain sentence, when the Python it would build the book's
environment with is too old or cannot make virtual environments.

Kept to syntax that old Pythons parse, so that they reach the message instead of a SyntaxError.
"""

import sys

# Sphinx 9 needs Python 3.11; Debian 12's own python3 (3.11.2) is the oldest the book is built with.
FLOOR = (3, 11)


def problem(version=None):
    version = version or sys.version_info[:3]
    if tuple(version[:2]) < FLOOR:
        shown = ".".join(str(part) for part in version)
        return ("The book needs Python %d.%d or newer, but %s is Python %s: install a newer Python "
                "(Debian 12: apt-get install python3 python3-venv) and run make again, or name it "
                "with make PYTHON=/path/to/python3.11." % (FLOOR + (sys.executable, shown)))
    try:
        import ensurepip  # noqa: F401  (Debian leaves it out unless python3-venv is installed)
        import venv  # noqa: F401
    except ImportError:
        return ("%s cannot create virtual environments: install them "
                "(Debian: apt-get install python3-venv) and run make again." % sys.executable)
    return None


if __name__ == "__main__":
    message = problem()
    if message:
        sys.stderr.write("make: " + message + "\n")
        sys.exit(2)
