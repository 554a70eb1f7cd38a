#!/bin/sh
# Make sure a headless Chromium is on PATH for the review.html browser test
# (tests/test_dedupe_job_review.py). Installs Debian's `chromium` package with
# apt-get when missing; never fails the build: without a browser that one test
# skips, saying why.
set -u
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
            echo "ensure_chromium: not root and no sudo: the browser test will be skipped" >&2
            exit 0
        fi
    fi
    echo "ensure_chromium: installing chromium (Debian package) for the review.html test" >&2
    $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
        || { $SUDO apt-get update -q >/dev/null 2>&1 && \
             $SUDO apt-get install -y -q chromium >/dev/null 2>&1; } \
        || echo "ensure_chromium: could not install chromium: the browser test will be skipped" >&2
else
    echo "ensure_chromium: no apt-get: the browser test will be skipped" >&2
fi
exit 0
