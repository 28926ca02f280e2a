"""Stop `make linkcheck` at once when the machine cannot reach the sites the book cites.

Without this, Sphinx's linkcheck spends its timeout and retries on every URL before failing.
The check resolves and connects to the hosts of the URLs in references.bib (or the .bib files
given as arguments), all at once, and gives up after a few seconds. One reachable host is
enough: linkcheck itself reports the URLs that do not answer.

Exit status: 0 when a host answers (or no URL is cited), 2 when none does.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from briefing.bibfile import read_bib

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 4.0  # seconds for every lookup and connection together


def cited_hosts(bibfiles: list[Path]) -> list[tuple[str, int]]:
    """(host, port) of every URL the bibliography files cite, once each, in order."""
    hosts: dict[tuple[str, int], None] = {}
    for bibfile in bibfiles:
        for url in read_bib(bibfile).urls():  # pybtex, through briefing.bibfile
            parts = urlsplit(url)
            if parts.hostname:
                hosts[(parts.hostname, parts.port or (80 if parts.scheme == "http" else 443))] = None
    return list(hosts)


def reach(host: str, port: int, results: dict, timeout: float) -> None:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            results[host] = None
    except OSError as err:
        results[host] = err.strerror or str(err) or type(err).__name__


def reachable(hosts: list[tuple[str, int]], deadline: float = DEADLINE) -> dict[str, str | None]:
    """Each host's failure (None when it answered), or "no answer" when the deadline passed.

    Each attempt runs in a daemon thread, because a DNS lookup cannot be given a timeout and a
    stuck one must not hold the process."""
    results: dict[str, str | None] = {}
    end = time.monotonic() + deadline
    threads = [threading.Thread(target=reach, args=(host, port, results, deadline), daemon=True)
               for host, port in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
        if any(error is None for error in results.values()):
            break
    return {host: results.get(host, f"no answer within {deadline:g} s") for host, _ in hosts}


def main(argv: list[str]) -> int:
    bibfiles = [Path(arg) for arg in argv] or [ROOT / "references.bib"]
    hosts = cited_hosts(bibfiles)
    if not hosts:
        return 0
    results = reachable(hosts)
    if any(error is None for error in results.values()):
        return 0
    failures = "\n".join(f"  {host}: {error}" for host, error in results.items())
    shown = ", ".join(str(b.relative_to(ROOT)) if b.is_relative_to(ROOT) else str(b) for b in bibfiles)
    counted = (f"the host cited in {shown} could not" if len(hosts) == 1
               else f"none of the {len(hosts)} hosts cited in {shown} could")
    print(f"linkcheck needs network access, and {counted} be reached:\n{failures}\n"
          "Run `make linkcheck` on a machine with internet access; the rest of the checks "
          "(`make check`) need none.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
