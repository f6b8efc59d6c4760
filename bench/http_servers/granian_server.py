"""granian (Rust HTTP stack, hyper) serving the raw ASGI app or the RSGI app.

Run: python -m bench.http_servers.granian_server --port N [--rsgi]
One worker process (granian's main process only supervises it), one runtime thread.
"""

from __future__ import annotations

import argparse

from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from granian.log import LogLevels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rsgi", action="store_true")
    options = parser.parse_args()
    target = (
        "bench.http_servers.rsgi_app:app" if options.rsgi else "bench.http_servers.asgi_app:app"
    )
    Granian(
        target,
        address="127.0.0.1",
        port=options.port,
        interface=Interfaces.RSGI if options.rsgi else Interfaces.ASGI,
        workers=1,
        runtime_threads=1,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        log_level=LogLevels.warning,
        workers_kill_timeout=10,
    ).serve()


if __name__ == "__main__":
    main()
