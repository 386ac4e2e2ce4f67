"""moto's server (as `moto_server` runs it), answering one request at a time.

moto's DynamoDB copies a whole table before each TransactWriteItems without a lock, so concurrent writes to that
table fail the copy ("dictionary changed size during iteration", an HTTP 500). Usage: moto_server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def serialized(app):
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            # moto answers with whole bodies: reading them under the lock keeps the request inside it.
            return list(app(environ, start_response))

    return one_at_a_time


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialized(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
