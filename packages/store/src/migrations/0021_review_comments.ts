/**
 * The reviewer's comment on an approval (审批意见, "同意" unless they write one): part of
 * the review, so the report guard lets a review set it and nothing else change it later.
 */
import { type Kysely, sql } from "kysely"

/** Adds reports.review_comment; the review-only trigger gains it. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table reports add column review_comment text;
    drop trigger reports_review_only on reports;
    create trigger reports_review_only before update on reports
      for each row execute function liandong_only_columns(
        'status', 'reviewed_by', 'reviewed_at', 'return_reason', 'review_comment');
  `.execute(db)
}

/** Drops the column; the trigger is as before. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop trigger reports_review_only on reports;
    alter table reports drop column review_comment;
    create trigger reports_review_only before update on reports
      for each row execute function liandong_only_columns('status', 'reviewed_by', 'reviewed_at', 'return_reason');
  `.execute(db)
}
