# Shared set-up steps of scripts/test and scripts/demo. Each is idempotent and quiet when done.

setup_python() {
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    # Re-install only when the package metadata changed since the last install.
    if [ ! -f .venv/.installed ] || [ setup.cfg -nt .venv/.installed ]; then
        .venv/bin/pip install --quiet --upgrade pip
        .venv/bin/pip install --quiet -e '.[test]'
        touch .venv/.installed
    fi
}

setup_webclient() {
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        else
            echo "npm is missing: install Node.js (Debian: apt-get install nodejs npm)" >&2
            return 1
        fi
    fi
    if [ ! -f webclient/vendor/chart.umd.js ] || [ webclient/package-lock.json -nt webclient/node_modules ]; then
        (cd webclient && npm ci --no-audit --no-fund --loglevel=error)
        touch webclient/node_modules
    fi
}

setup_chromium() {
    if command -v chromium >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        return 0
    fi
    return 1
}
