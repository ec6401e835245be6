/**
 * Least privilege. A report's content (everything but its review: status, reviewer, time,
 * reason), every figure and every deployed definition are fixed once written, for everyone,
 * owner included, as the journal is (0002): a review may only set its decision, and a
 * report, figure or definition is never deleted. PUBLIC keeps no right on any table or function of the schema; the application
 * role gets its own from `liandong db roles` (Privileges.ts), which also repeats these
 * revokes for objects later migrations add. A superuser can still disable the triggers —
 * which is what signed checkpoints held outside the database catch.
 */
import { type Kysely, sql } from "kysely"

/** Adds the report guards; revokes PUBLIC's rights. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    -- The trigger's arguments name the columns an UPDATE may change; any other change is refused.
    create function liandong_only_columns() returns trigger language plpgsql as $$
    begin
      if (to_jsonb(old) - tg_argv) is distinct from (to_jsonb(new) - tg_argv) then
        raise exception 'the % table''s rows are fixed once written: only % may change', tg_table_name,
          array_to_string(tg_argv, ', ') using errcode = 'insufficient_privilege';
      end if;
      return new;
    end
    $$;
    create trigger reports_review_only before update on reports
      for each row execute function liandong_only_columns('status', 'reviewed_by', 'reviewed_at', 'return_reason');
    create trigger reports_no_delete before delete on reports
      for each row execute function liandong_append_only();
    create trigger reports_no_truncate before truncate on reports
      for each statement execute function liandong_append_only();
    create trigger report_figures_no_update before update or delete on report_figures
      for each row execute function liandong_append_only();
    create trigger report_figures_no_truncate before truncate on report_figures
      for each statement execute function liandong_append_only();
    -- A deployed definition is what its campaign's machines replay through: kept as deployed.
    create trigger definitions_no_update before update or delete on definitions
      for each row execute function liandong_append_only();
    create trigger definitions_no_truncate before truncate on definitions
      for each statement execute function liandong_append_only();

    do $$
    begin
      execute format('revoke all on all tables in schema %I from public', current_schema());
      execute format('revoke all on all sequences in schema %I from public', current_schema());
      execute format('revoke all on all functions in schema %I from public', current_schema());
    end
    $$;
  `.execute(db)
}

/** Removes the report guards (PUBLIC's rights stay revoked: it needs none). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop trigger reports_review_only on reports;
    drop trigger reports_no_delete on reports;
    drop trigger reports_no_truncate on reports;
    drop trigger report_figures_no_update on report_figures;
    drop trigger report_figures_no_truncate on report_figures;
    drop trigger definitions_no_update on definitions;
    drop trigger definitions_no_truncate on definitions;
    drop function liandong_only_columns();
  `.execute(db)
}
