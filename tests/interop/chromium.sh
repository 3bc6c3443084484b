#!/bin/bash
# Chromium with kzp11: not written yet.
set -eu
. "$(dirname "$0")/lib.sh"
skip "not written yet"
