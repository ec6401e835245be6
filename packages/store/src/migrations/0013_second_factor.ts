/**
 * The second factor: a person's TOTP secret (RFC 6238), pending until confirmed with a
 * code, the last time step accepted (so a code is not accepted twice), and ten one-time
 * recovery codes kept as their SHA-256. The secret itself must be kept to check codes.
 */
import { type Kysely, sql } from "kysely"

/** Adds second_factors and recovery_codes. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table second_factors (
      principal_id text primary key references principals (id),
      secret text not null,
      created_at timestamptz not null,
      confirmed_at timestamptz,
      last_step bigint
    );
    create table recovery_codes (
      principal_id text not null references principals (id),
      code_hash text not null,
      created_at timestamptz not null,
      used_at timestamptz,
      primary key (principal_id, code_hash)
    );
  `.execute(db)
}

/** Drops them. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop table recovery_codes; drop table second_factors;`.execute(db)
}
