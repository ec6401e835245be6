#!/bin/sh
# `liandong` in the image: the command line, from any directory (installed as /usr/local/bin/liandong).
# The bundle unchecked: an image's sources never change.
exec env LIANDONG_CLI_BUNDLE=on node "${LIANDONG_APP:-/app}/apps/cli/bin/liandong.mjs" "$@"
