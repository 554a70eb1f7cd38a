#!/bin/sh
# A real redis-server for the coordinator's tests (issue 12): the Debian package.
# Tolerates one already installed (PATH or /usr/bin); never starts a service.
set -e
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = "0" ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server >/dev/null \
        || { $SUDO apt-get update -q >/dev/null && \
             $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server >/dev/null; }
    exit 0
fi
echo "ensure_redis: no redis-server and no apt-get; the Redis coordinator tests will be skipped" >&2
