# Real browsers (Firefox ESR, Chromium) under Xvfb, logging in to an HTTPS
# site with a container's client certificate; included from Makefile.am.
# Screenshots land in tests/artifacts/ (evidence of each run).
desktop_tests = tests/interop/firefox.sh tests/interop/chromium.sh
TESTS += $(desktop_tests)
EXTRA_DIST += $(desktop_tests) tests/interop/desktop-lib.sh tests/interop/https-server.py
CLEANFILES += tests/artifacts/*.png
