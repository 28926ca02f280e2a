"""Stop `make linkcheck` at once when the machine cannot reach the sites the book cites.

Without this, Sphinx's linkcheck spends its timeout and retries on every URL before failing.
The check connects to the hosts of the URLs in references.bib (or the .bib files given as
arguments), one after another, and stops at the first that answers: linkcheck itself reports the
URLs that do not. Offline, a lookup fails at once; a connection is given TIMEOUT seconds.

Exit status: 0 when a host answers (or no URL is cited), 2 when none does.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from briefing.bibfile import read_bib

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 3.0  # seconds for each connection


def cited_hosts(bibfiles: list[Path]) -> list[tuple[str, int]]:
    """(host, port) of every URL the bibliography files cite, once each, in order."""
    hosts: dict[tuple[str, int], None] = {}
    for bibfile in bibfiles:
        for url in read_bib(bibfile).urls():  # pybtex, through briefing.bibfile
            parts = urlsplit(url)
            if parts.hostname:
                hosts[(parts.hostname, parts.port or (80 if parts.scheme == "http" else 443))] = None
    return list(hosts)


def failure(host: str, port: int) -> str | None:
    """Why the host does not answer, or None when it does."""
    try:
        socket.create_connection((host, port), timeout=TIMEOUT).close()
    except OSError as err:
        return err.strerror or str(err) or type(err).__name__
    return None


def main(argv: list[str]) -> int:
    bibfiles = [Path(arg) for arg in argv] or [ROOT / "references.bib"]
    hosts = cited_hosts(bibfiles)
    failures = {}
    for host, port in hosts:
        if (error := failure(host, port)) is None:
            return 0
        failures[host] = error
    if not failures:
        return 0
    listed = "\n".join(f"  {host}: {error}" for host, error in failures.items())
    shown = ", ".join(str(b.relative_to(ROOT)) if b.is_relative_to(ROOT) else str(b) for b in bibfiles)
    counted = (f"the host cited in {shown} could not" if len(hosts) == 1
               else f"none of the {len(hosts)} hosts cited in {shown} could")
    print(f"linkcheck needs network access, and {counted} be reached:\n{listed}\n"
          "Run `make linkcheck` on a machine with internet access; the rest of the checks "
          "(`make check`) need none.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
