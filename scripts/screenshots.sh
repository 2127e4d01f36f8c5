#!/usr/bin/env bash
# Regenerate docs/screenshots/*.png on purpose: runs the browser tests that take them with
# COMPLAINTS_SCREENSHOTS_DIR pointing at docs/screenshots/ (a normal test run writes them to
# a temporary folder). Needs Chromium (README, System packages). Review and commit the PNGs.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
COMPLAINTS_SCREENSHOTS_DIR="$PWD/docs/screenshots" CI=true "$python" -m pytest -q \
  -p no:cacheprovider tests/admin/test_admin_browser.py tests/reports/test_report_browser.py
git status --short docs/screenshots
