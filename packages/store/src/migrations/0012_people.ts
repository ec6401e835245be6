/**
 * People: a principal with contact details and a password. Passwords are kept as
 * argon2id PHC strings; invitations and sessions as the SHA-256 of their secret, never
 * the secret. What people do to people (invitations, sign-ins, sign-outs, refusals) goes
 * to `people_log`, append-only: it belongs to no campaign's chain.
 */
import { type Kysely, sql } from "kysely"

/** Adds contact columns, credentials, invitations, sessions and the people log. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table principals add column mobile text, add column email text;
    create table credentials (
      principal_id text primary key references principals (id),
      password_hash text not null,
      changed_at timestamptz not null,
      failed_count integer not null default 0,
      locked_until timestamptz
    );
    create table invitations (
      id text primary key,
      token_hash text not null unique,
      principal_id text not null references principals (id),
      created_by text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      revoked_at timestamptz
    );
    create index invitations_by_principal on invitations (principal_id);
    create table sessions (
      id text primary key,
      principal_id text not null references principals (id),
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      idle_expires_at timestamptz not null,
      absolute_expires_at timestamptz not null,
      revoked_at timestamptz,
      user_agent text,
      address text
    );
    create index sessions_by_principal on sessions (principal_id, created_at);
    create table people_log (
      id bigserial primary key,
      at timestamptz not null,
      actor text not null,
      action text not null,
      subject text not null,
      detail jsonb not null default '{}'
    );
    create index people_log_by_subject on people_log (subject, id);
  `.execute(db)
}

/** Drops them. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop table people_log; drop table sessions; drop table invitations; drop table credentials;
    alter table principals drop column mobile, drop column email;
  `.execute(db)
}
