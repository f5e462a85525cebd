"""moto's server, with one request at a time.

moto's threaded server runs concurrent requests interleaved, so two
TransactWriteItems calls can both pass their conditions (and a rollback can
undo a neighbour's write). DynamoDB itself isolates conflicting transactions;
serialising requests gives tests the same guarantee. Connections stay
threaded (keep-alive works); only the handling of requests is serialised.

Usage: python moto_serial.py HOST PORT
"""

import os
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            # Read the whole response inside the lock: the app may be lazy.
            return list(app(environ, start_response))

    run_simple(host, port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
