# Shared helpers for scripts/test. Sourced, not executed.

# step "message": a progress line that stands out in CI logs.
step() {
    printf '\n==> %s\n' "$*"
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# require_command NAME HINT: fail early with a hint when a tool is missing.
require_command() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH. $2"
}
