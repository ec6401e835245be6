/**
 * 佐证材料: files a unit attaches to its report (a sign-in sheet, photos, a stamped scan).
 * The bytes are kept once per SHA-256 in `attachment_contents`, in the database itself, so
 * a backup holds everything; `attachments` records each upload (who, for which task, under
 * which name and type); `report_attachments` names the files each submitted report carries,
 * in order. All three are append-only: an upload a report never names is simply not used,
 * and a resubmission names its files anew.
 */
import { type Kysely, sql } from "kysely"

/** Adds the three tables and their append-only guards. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table attachment_contents (
      sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
      size bigint not null check (size >= 0),
      bytes bytea not null,
      created_at timestamptz not null default now()
    );
    create table attachments (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      unit_key text not null,
      task_key text not null,
      name text not null check (length(name) between 1 and 255),
      type text not null,
      size bigint not null check (size >= 0),
      sha256 text not null references attachment_contents (sha256),
      uploaded_by text not null,
      uploaded_at timestamptz not null
    );
    create index attachments_by_task on attachments (campaign_id, unit_key, task_key);
    create table report_attachments (
      report_id bigint not null references reports (id),
      position int not null check (position >= 0),
      attachment_id bigint not null references attachments (id),
      primary key (report_id, position)
    );
    create trigger attachment_contents_no_update before update or delete on attachment_contents
      for each row execute function liandong_append_only();
    create trigger attachment_contents_no_truncate before truncate on attachment_contents
      for each statement execute function liandong_append_only();
    create trigger attachments_no_update before update or delete on attachments
      for each row execute function liandong_append_only();
    create trigger attachments_no_truncate before truncate on attachments
      for each statement execute function liandong_append_only();
    create trigger report_attachments_no_update before update or delete on report_attachments
      for each row execute function liandong_append_only();
    create trigger report_attachments_no_truncate before truncate on report_attachments
      for each statement execute function liandong_append_only();
  `.execute(db)
}

/** Drops them again, files and all. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop table report_attachments;
    drop table attachments;
    drop table attachment_contents;
  `.execute(db)
}
