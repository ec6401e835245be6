/**
 * API tokens: each bound to a principal, stored as the SHA-256 of its secret
 * (the secret itself is shown once, when created), with expiry and revocation.
 */
import { type Kysely, sql } from "kysely"

/** Adds the tokens table. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table tokens (
      id text primary key,
      principal_id text not null references principals (id),
      secret_hash text not null,
      label text,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    );
    create index tokens_by_principal on tokens (principal_id);
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop table tokens`.execute(db)
}
