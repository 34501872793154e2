# Python virtualenv with the pinned test tools (requirements-test.txt). Sourced by scripts/test.
# Needs: common.sh.

# ensure_venv VENV_DIR REQUIREMENTS_FILE
# Creates the venv when missing or broken, and runs pip only when the requirements file (or the
# Python version) changed since the last successful install, recorded in VENV_DIR/.requirements.stamp.
ensure_venv() {
    local venv="$1" requirements="$2"
    local python="$venv/bin/python"

    if [[ -x "$python" ]] && ! "$python" -c 'import sys' >/dev/null 2>&1; then
        echo "existing $venv does not run (Python moved?): recreating it"
        rm -rf "$venv"
    fi
    if [[ ! -x "$python" ]]; then
        require_command python3 "Install Python 3.9 or newer."
        echo "creating $venv with $(python3 --version 2>&1)"
        python3 -m venv "$venv" \
            || die "python3 -m venv failed; on Debian/Ubuntu install the python3-venv package"
    fi

    local stamp="$venv/.requirements.stamp"
    local wanted
    wanted="$("$python" - "$requirements" <<'PY'
import hashlib, sys
print(sys.version.split()[0], hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())
PY
)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        echo "$requirements unchanged since last install: skipping pip"
        return 0
    fi
    echo "installing $requirements (first run takes about a minute)"
    "$python" -m pip install --quiet --disable-pip-version-check -r "$requirements" \
        || die "pip install -r $requirements failed"
    printf '%s' "$wanted" > "$stamp"
}
