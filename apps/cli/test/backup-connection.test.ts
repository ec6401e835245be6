import { describe, expect, it } from "vitest"
import { libpqEnvironment } from "../src/BackupCommand.ts"

// pg_dump and pg_restore are told the database through libpq's environment, never their
// command line (which other users of the machine can read), from the same settings the store uses.
describe("the connection pg_dump and pg_restore are given", () => {
  it("takes a URL apart, its percent-encoded password decoded", () => {
    expect(
      libpqEnvironment({
        databaseUrl: "postgres://liandong_owner:p%40ss%2Fw%3Ard@db.internal:6432/liandong?sslmode=verify-full",
      }),
    ).toEqual({
      PGHOST: "db.internal",
      PGPORT: "6432",
      PGUSER: "liandong_owner",
      PGPASSWORD: "p@ss/w:rd",
      PGDATABASE: "liandong",
      PGSSLMODE: "verify-full",
    })
  })

  it("reads a socket folder from the query, an IPv6 host without brackets, and node-postgres's ssl=true", () => {
    expect(libpqEnvironment({ databaseUrl: "postgresql://owner@localhost/liandong?host=/var/run/postgresql" })).toEqual(
      {
        PGHOST: "/var/run/postgresql",
        PGUSER: "owner",
        PGDATABASE: "liandong",
      },
    )
    expect(libpqEnvironment({ databaseUrl: "postgres://owner@[::1]:5432/liandong?ssl=true" })).toMatchObject({
      PGHOST: "::1",
      PGSSLMODE: "require",
    })
  })

  it("takes the separate settings as they are, the password unencoded", () => {
    expect(
      libpqEnvironment({
        postgres: {
          host: "db",
          port: 5432,
          database: "liandong",
          user: "owner",
          password: "a/b@c%d",
          sslMode: "require",
        },
      }),
    ).toEqual({
      PGHOST: "db",
      PGPORT: "5432",
      PGDATABASE: "liandong",
      PGUSER: "owner",
      PGPASSWORD: "a/b@c%d",
      PGSSLMODE: "require",
    })
  })

  it("names no server for the embedded database", () => {
    expect(libpqEnvironment({ dataDir: ".liandong/data" })).toBeUndefined()
  })
})
