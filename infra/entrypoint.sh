#!/bin/sh
# The image's entry point, run by tini: `server` (the default command), `worker`, or any other
# command as given (`liandong …`, `sh`). It refuses what would lose data or process nothing, and
# otherwise execs node, so the process's own exit code (0 on SIGTERM) is the container's.
set -eu

app=${LIANDONG_APP:-/app}
# The server and the worker run from their bundles (built with the CLI's, apps/cli/build.ts) with
# the young generation V8 would otherwise grow to 128 MB kept small: programNodeFlags in
# packages/engine/src/Process.ts.
node_flags=--max-semi-space-size=8

# Any PostgreSQL setting means PostgreSQL (the application's rule; a bad one is its error to report).
uses_postgres() {
  for name in DATABASE_URL DATABASE_URL_FILE DATABASE_HOST DATABASE_PORT DATABASE_NAME DATABASE_USER \
    DATABASE_PASSWORD DATABASE_PASSWORD_FILE DATABASE_SSLMODE; do
    eval "value=\${$name:-}"
    [ -n "$value" ] && return 0
  done
  return 1
}

# The mount point a path lies on: the longest mount point that is the path or one of its parents.
# Tests point LIANDONG_MOUNTINFO at a fixture.
mount_point_of() {
  awk -v path="$1" '{
    m = $5; gsub(/\\040/, " ", m)
    if ((m == "/" || path == m || index(path, m "/") == 1) && length(m) > length(best)) best = m
  } END { print best }' "${LIANDONG_MOUNTINFO:-/proc/self/mountinfo}"
}

refuse() {
  printf '联动 Liandong: %s\nLiandong: %s\n' "$1" "$2" >&2
  exit 2
}

# The embedded database lives in the container's own file system unless LIANDONG_DATA is on a
# mounted volume: it would go with the container.
check_embedded_folder() {
  data=${LIANDONG_DATA:-/var/lib/liandong/data}
  [ "${LIANDONG_EPHEMERAL:-}" = 1 ] && return 0
  case $data in
    memory://*) return 0 ;;
    /*) ;;
    *) data=$PWD/$data ;;
  esac
  mount=$(mount_point_of "$data" || true)
  [ -n "$mount" ] && [ "$mount" != / ] && return 0
  refuse "拒绝启动:嵌入式数据库的文件夹 $data 不在挂载的卷上,数据会随容器一起丢失。
  挂载一个卷:docker run -v liandong:/var/lib/liandong …
  或使用 PostgreSQL:设置 DATABASE_URL_FILE,或 DATABASE_HOST、DATABASE_NAME、DATABASE_USER、DATABASE_PASSWORD_FILE
  仅试用、数据可丢弃时:设置 LIANDONG_EPHEMERAL=1" \
    "refusing to start: the embedded database's folder $data is not on a mounted volume; its data would be lost with the container.
  Mount a volume: docker run -v liandong:/var/lib/liandong …
  or use PostgreSQL: set DATABASE_URL_FILE, or DATABASE_HOST, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD_FILE
  For a trial whose data may be lost: set LIANDONG_EPHEMERAL=1
(docs/deploy.md, \"The image\")"
}

case ${1:-server} in
  server)
    if ! uses_postgres; then
      check_embedded_folder
      # One process owns an embedded folder: no separate worker can run beside this server.
      [ "${LIANDONG_WORKER:-inline}" = off ] &&
        refuse "嵌入式数据库上后台处理只能在服务进程内运行:请去掉 LIANDONG_WORKER=off,否则没有任何事项会被处理。" \
          "on the embedded database the worker can only run in the server's process: unset LIANDONG_WORKER=off, or nothing is processed."
    fi
    # shellcheck disable=SC2086 # $node_flags is a list of flags
    exec node $node_flags "$app/apps/cli/dist/server.mjs"
    ;;
  worker)
    uses_postgres ||
      refuse "单独的后台处理进程需要 PostgreSQL(DATABASE_URL_FILE 或 DATABASE_HOST 等);嵌入式数据库上由服务进程处理。" \
        "a separate worker needs PostgreSQL (DATABASE_URL_FILE or DATABASE_HOST…); on the embedded database the server runs the worker."
    # shellcheck disable=SC2086 # $node_flags is a list of flags
    exec node $node_flags "$app/apps/cli/dist/worker.mjs"
    ;;
  *)
    exec "$@"
    ;;
esac
