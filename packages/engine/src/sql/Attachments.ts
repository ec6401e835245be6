/** Attachments (佐证材料): bytes once per SHA-256, each upload, and the files each report names. */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"
import type { TaskAddress } from "../Refs.ts"

/** An upload to store. */
export interface Upload {
  readonly task: TaskAddress
  readonly name: string
  readonly type: string
  readonly bytes: Uint8Array
  readonly sha256: string
  readonly by: string
  readonly at: string
}

/** Stores the bytes (once per hash) and the upload; the upload's id. */
export const insertAttachment = async (db: Sql, upload: Upload): Promise<string> => {
  await db
    .insertInto("attachment_contents")
    .values({ sha256: upload.sha256, size: upload.bytes.length, bytes: Buffer.from(upload.bytes) })
    .onConflict((oc) => oc.column("sha256").doNothing())
    .execute()
  const row = await db
    .insertInto("attachments")
    .values({
      campaign_id: upload.task.campaign,
      unit_key: upload.task.unit,
      task_key: upload.task.task,
      name: upload.name,
      type: upload.type,
      size: upload.bytes.length,
      sha256: upload.sha256,
      uploaded_by: upload.by,
      uploaded_at: upload.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow()
  return String(row.id)
}

/** What is known of an upload, without its bytes. */
export interface AttachmentRow {
  readonly id: string
  readonly campaign_id: string
  readonly unit_key: string
  readonly task_key: string
  readonly name: string
  readonly type: string
  readonly size: string
  readonly sha256: string
}

const described = ["id", "campaign_id", "unit_key", "task_key", "name", "type", "size", "sha256"] as const

/** Uploads by id. */
export const selectAttachments = (db: Sql, ids: ReadonlyArray<string>): Promise<AttachmentRow[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("attachments")
        .select([...described])
        .where("id", "in", [...ids])
        .execute()

/** The uploads a report names, in order. */
export const selectReportAttachments = (
  db: Sql,
  reportIds: ReadonlyArray<string>,
): Promise<Array<AttachmentRow & { report_id: string; position: number }>> =>
  reportIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("report_attachments")
        .innerJoin("attachments", "attachments.id", "report_attachments.attachment_id")
        .select(described.map((c) => `attachments.${c}` as const))
        .select(["report_attachments.report_id", "report_attachments.position"])
        .where("report_attachments.report_id", "in", [...reportIds])
        .orderBy("report_attachments.report_id")
        .orderBy("report_attachments.position")
        .execute()

/**
 * The files reports name as the database holds them now: the hash and size recomputed from
 * the stored bytes (null when the bytes are gone), beside the hash the upload recorded.
 */
export const selectStoredAttachments = (
  db: Sql,
  reportIds: ReadonlyArray<string>,
): Promise<
  Array<{
    report_id: string
    position: number
    name: string
    type: string
    recorded: string
    sha256: string | null
    size: string | null
  }>
> =>
  reportIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("report_attachments")
        .innerJoin("attachments", "attachments.id", "report_attachments.attachment_id")
        .leftJoin("attachment_contents", "attachment_contents.sha256", "attachments.sha256")
        .select(["report_attachments.report_id", "report_attachments.position", "attachments.name"])
        .select(["attachments.type", "attachments.sha256 as recorded"])
        .select([
          sql<string | null>`encode(sha256(attachment_contents.bytes), 'hex')`.as("sha256"),
          sql<string | null>`octet_length(attachment_contents.bytes)::text`.as("size"),
        ])
        .where("report_attachments.report_id", "in", [...reportIds])
        .orderBy("report_attachments.report_id")
        .orderBy("report_attachments.position")
        .execute()

/** The bytes of a file, by hash. */
export const selectContent = (db: Sql, sha256: string) =>
  db
    .selectFrom("attachment_contents")
    .select(["bytes"])
    .where("sha256", "=", sha256)
    .executeTakeFirst()
    .then((row) => row?.bytes)

/** The hashes of every file a report of the campaign names. */
export const selectCampaignContentHashes = (db: Sql, campaign: string) =>
  db
    .selectFrom("report_attachments")
    .innerJoin("reports", "reports.id", "report_attachments.report_id")
    .innerJoin("attachments", "attachments.id", "report_attachments.attachment_id")
    .select("attachments.sha256")
    .distinct()
    .where("reports.campaign_id", "=", campaign)
    .orderBy("attachments.sha256")
    .execute()
    .then((rows) => rows.map((r) => r.sha256))
