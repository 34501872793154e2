"""moto's HTTP server, answering one request at a time.

moto's backends are not thread-safe: concurrent requests to its threaded server fail with HTTP 500
("dictionary changed size during iteration"), and the SDK's retries then apply writes twice.
DynamoDB applies each request atomically; handling requests one at a time gives moto the same
guarantee, so tests can post from many threads through the ordinary SDK client.

Usage: python moto_server_serialized.py HOST PORT
"""
import os
import signal
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            # The body is materialised inside the lock: moto may build it lazily from shared state.
            return list(app(environ, start_response))

    run_simple(host, port, one_at_a_time, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
