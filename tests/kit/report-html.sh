#!/usr/bin/env bash
# tests/kit/report-html.sh -- report.html opened in headless Chromium: three
# graded submissions (full marks, partial, broken), console, rows, pictures
# and layout checked (tests/kit/report_html.py says how).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build} exec python3 tests/kit/report_html.py
