# Shared set-up steps of scripts/test and scripts/demo. Each is idempotent and quiet when done.

apt_install() {
    # Debian packages, as root only; quiet unless something fails.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing $* (Debian packages)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "$* missing: install it (Debian: apt-get install $*)" >&2
        return 1
    fi
}

setup_npm() {
    command -v npm >/dev/null || apt_install nodejs npm
}

setup_python() {
    if [ -f .venv ]; then
        echo "removing the .venv file an older tox left (a pointer to a tox environment)" >&2
        rm .venv
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv" >&2
        python3 -m venv .venv
    fi
    # Re-install only when the package metadata changed since the last install.
    if [ ! -f .venv/.installed ] || [ setup.cfg -nt .venv/.installed ] || [ setup.py -nt .venv/.installed ]; then
        echo "installing Radar and its test dependencies into .venv" >&2
        .venv/bin/pip install -qq --upgrade pip
        .venv/bin/pip install -qq -e '.[test]'
        touch .venv/.installed
    fi
}

setup_webclient() {
    # The dashboard radar-api serves is built into radar_api/webclient/ (webclient/build.sh).
    if [ ! -d webclient/node_modules ] || [ webclient/package-lock.json -nt webclient/node_modules ]; then
        echo "installing the web client's npm packages" >&2
        (cd webclient && npm ci --no-audit --no-fund --loglevel=error)
        touch webclient/node_modules
    fi
    stamp=radar_api/webclient/.built
    if [ ! -f "$stamp" ] || [ -n "$(find webclient -path webclient/node_modules -prune -o -newer "$stamp" -type f -print -quit)" ]; then
        (cd webclient && npm run --silent build)
    fi
}

setup_chromium() {
    command -v chromium >/dev/null || apt_install chromium
}

setup_prometheus() {
    # The alert tests start Alertmanager; promtool checks /metrics and the shipped rules.
    command -v prometheus-alertmanager >/dev/null || apt_install prometheus-alertmanager
    command -v promtool >/dev/null || apt_install prometheus
}
