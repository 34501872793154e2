# Background moto server on a free loopback port. Sourced by scripts/test.
# Needs: common.sh. Sets MOTO_PID, MOTO_ENDPOINT, MOTO_LOG.

MOTO_PID=""
MOTO_ENDPOINT=""
MOTO_LOG=""
MOTO_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# free_port PYTHON: prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
    "$1" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# moto_answers PYTHON URL: true once the server answers HTTP (any status).
moto_answers() {
    "$1" - "$2" <<'PY' >/dev/null 2>&1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass
PY
}

# start_moto VENV_DIR LOG_FILE: starts moto's server bound to 127.0.0.1, handling one request at
# a time (see moto_server_serialized.py), and waits until it answers. Retries with a new port if
# the chosen one was taken meanwhile.
start_moto() {
    local venv="$1" python="$1/bin/python" attempt port i
    MOTO_LOG="$2"
    for attempt in 1 2 3; do
        port="$(free_port "$python")"
        "$python" "$MOTO_LIB_DIR/moto_server_serialized.py" 127.0.0.1 "$port" >"$MOTO_LOG" 2>&1 &
        MOTO_PID=$!
        for i in $(seq 1 150); do          # up to 30 s: the first start compiles bytecode
            if ! kill -0 "$MOTO_PID" 2>/dev/null; then
                break
            fi
            if moto_answers "$python" "http://127.0.0.1:$port"; then
                MOTO_ENDPOINT="http://127.0.0.1:$port"
                echo "moto $("$python" -c 'import moto; print(moto.__version__)') listening on $MOTO_ENDPOINT (pid $MOTO_PID)"
                return 0
            fi
            sleep 0.2
        done
        echo "moto did not come up on port $port (attempt $attempt); log:" >&2
        tail -n 20 "$MOTO_LOG" >&2 || true
        stop_moto
    done
    die "could not start moto_server"
}

# stop_moto: stops the server started above (only that process), if any.
stop_moto() {
    if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill "$MOTO_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do           # up to 10 s for a clean exit, then force it
            kill -0 "$MOTO_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
        echo "moto stopped (pid $MOTO_PID)"
    fi
    MOTO_PID=""
}
