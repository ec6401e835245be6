#!/bin/sh
# The DBA's part, run once by the postgres image when its data volume is first created (as
# POSTGRES_USER, the superuser): the schema's owner, the application role and the database. The
# owner runs `db migrate` and `db roles`; API servers and workers connect as the application role,
# which owns nothing and gets its rights from `db roles`. See docs/deploy.md.
#
# The passwords come from files (compose secrets): LIANDONG_OWNER_PASSWORD_FILE and
# LIANDONG_APP_PASSWORD_FILE, less one final newline, as the application reads its own; or from
# LIANDONG_OWNER_PASSWORD and LIANDONG_APP_PASSWORD. Any character is fine: psql quotes them.
# LIANDONG_OWNER_ROLE, LIANDONG_APP_ROLE and LIANDONG_DATABASE rename what is created.
set -eu

# The secret NAME from the file NAME_FILE names, else from NAME itself.
secret() {
  eval "file=\${$1_FILE:-} direct=\${$1:-}"
  if [ -n "$file" ] && [ -n "$direct" ]; then
    echo "$1 和 $1_FILE 只能设置其一 / set $1 or $1_FILE, not both" >&2
    exit 1
  fi
  if [ -z "$file" ]; then
    [ -n "$direct" ] || { echo "须设置 $1_FILE(或 $1)/ set $1_FILE (or $1)" >&2 && exit 1; }
    printf '%s' "$direct"
    return
  fi
  # The x keeps the file's final newlines from the command substitution; one comes off below.
  value=$(cat "$file" && printf x) || exit 1
  value=${value%x}
  case $value in
    *"$newline") value=${value%"$newline"} && value=${value%"$carriage_return"} ;;
  esac
  [ -n "$value" ] || { echo "$1_FILE 指向的文件是空的 / the file $1_FILE names is empty" >&2 && exit 1; }
  printf '%s' "$value"
}
newline='
'
carriage_return=$(printf '\r')

owner_password=$(secret LIANDONG_OWNER_PASSWORD)
app_password=$(secret LIANDONG_APP_PASSWORD)

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v owner_role="${LIANDONG_OWNER_ROLE:-liandong_owner}" -v app_role="${LIANDONG_APP_ROLE:-liandong_app}" \
  -v database="${LIANDONG_DATABASE:-liandong}" \
  -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
create role :"owner_role" login password :'owner_password';
create role :"app_role" login password :'app_password';
create database :"database" owner :"owner_role";
revoke all on database :"database" from public;
grant connect on database :"database" to :"app_role";
SQL
