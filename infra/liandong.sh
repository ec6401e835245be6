#!/bin/sh
# `liandong` in the image: the command line, from any directory (installed as /usr/local/bin/liandong).
exec node "${LIANDONG_APP:-/app}/apps/cli/src/main.ts" "$@"
