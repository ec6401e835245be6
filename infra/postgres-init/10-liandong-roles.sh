#!/bin/sh
# The DBA's part, run once by the postgres image when its data volume is first created
# (as POSTGRES_USER, the superuser): the schema's owner, the application role and the
# database. The owner runs `db migrate` and `db roles`; API servers and workers connect as
# liandong_app, which owns nothing and gets its rights from `db roles`. See docs/deploy.md.
: "${LIANDONG_OWNER_PASSWORD:?set LIANDONG_OWNER_PASSWORD}"
: "${LIANDONG_APP_PASSWORD:?set LIANDONG_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$LIANDONG_OWNER_PASSWORD" -v app_password="$LIANDONG_APP_PASSWORD" <<'SQL'
create role liandong_owner login password :'owner_password';
create role liandong_app login password :'app_password';
create database liandong owner liandong_owner;
revoke all on database liandong from public;
grant connect on database liandong to liandong_app;
SQL
