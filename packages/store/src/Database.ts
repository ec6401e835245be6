/**
 * The database as Kysely sees it: one interface per table, written beside the
 * migrations in ./migrations. Timestamps are `timestamptz` (returned as Date);
 * exact figures are `numeric` (returned as string, never a float).
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely"

type Timestamp = ColumnType<Date, Date | string, Date | string>
type CreatedAt = ColumnType<Date, Date | string | undefined, never>
/** `bigserial`/`bigint` ids come back from pg as strings; we keep them as strings. */
type BigId = ColumnType<string, string | number | bigint, string | number | bigint>
type GeneratedBigId = ColumnType<string, string | number | bigint | undefined, never>
type Json<T = unknown> = ColumnType<T, string, string>

/**
 * The units of a campaign (offices, bureaus, associations…), as its definition declares
 * them; `parent` builds the hierarchy within the campaign. One office key may appear in
 * many campaigns, each with its own row.
 */
export interface UnitsTable {
  campaign_id: string
  key: string
  name: string
  name_en: string | null
  parent_key: string | null
  level: string | null
  created_at: CreatedAt
}

/** People and API tokens that act: a role and, except auditors, a unit. */
export interface PrincipalsTable {
  id: string
  name: string
  role: "coordinator" | "unit" | "auditor"
  /** an organisation key: the office in every campaign naming it (no foreign key) */
  unit_key: string | null
  created_at: CreatedAt
  disabled_at: Timestamp | null
  /** contact details, validated by the engine */
  mobile: ColumnType<string | null, string | null | undefined, string | null>
  email: ColumnType<string | null, string | null | undefined, string | null>
}

/** Each deployed version of a definition, with the content hash of its normalized body. */
export interface DefinitionsTable {
  id: GeneratedBigId
  key: string
  version: number
  hash: string
  body: Json
  created_at: CreatedAt
}

/** A campaign pins one definition version; its journal head lives here so appends serialize per campaign. */
export interface CampaignsTable {
  id: string
  definition_id: BigId
  status: "deployed" | "running" | "summarizing" | "closed"
  journal_seq: Generated<number>
  journal_head: string | null
  created_at: CreatedAt
  started_at: Timestamp | null
  closed_at: Timestamp | null
}

/** One XState machine per unit participation and one per campaign (unit_key null). */
export interface MachinesTable {
  id: GeneratedBigId
  campaign_id: string
  kind: "campaign" | "unit"
  unit_key: string | null
  snapshot: Json
  version: number
  /** The definition hash the snapshot was computed with. */
  machine_hash: string
  phase: string | null
  status: string
  overdue: boolean
  updated_at: Timestamp
}

/** Read model of each unit's task: one row per (campaign, unit, task), written with the snapshot. */
export interface TasksTable {
  campaign_id: string
  unit_key: string
  task_key: string
  phase_key: string
  status: "waiting" | "assigned" | "acknowledged" | "submitted" | "returned" | "approved" | "closed"
  deadline: Timestamp
  overdue: boolean
  reminded: number
  returns: number
  report_id: BigId | null
  acknowledged_at: Timestamp | null
  submitted_at: Timestamp | null
  approved_at: Timestamp | null
  updated_at: Timestamp
}

/** Append-only: one row per accepted event, hash-chained per campaign. */
export interface JournalTable {
  id: GeneratedBigId
  campaign_id: string
  seq: number
  machine_id: BigId
  unit_key: string | null
  /** principal id, or `system` for the worker */
  actor: string
  role: string
  actor_unit: string | null
  /** `command`, `timer:<id>` or `message:<id>` */
  cause: string
  idempotency_key: string | null
  event: string
  payload: Json
  state_before: Json
  state_after: Json
  /** the campaign clock's time (may be simulated) */
  occurred_at: Timestamp
  /** the database's time */
  recorded_at: CreatedAt
  prev_hash: string | null
  hash: string
  /** what the event is about, hashed with the row: a report's figures and narrative, a review, a summary's totals */
  content: ColumnType<unknown, unknown, never>
}

/** Durable timers: due events for one machine. */
export interface TimersTable {
  id: GeneratedBigId
  campaign_id: string
  machine_id: BigId
  /** unique per machine: a timer is scheduled once */
  key: string
  due_at: Timestamp
  event: Json
  status: "pending" | "done" | "cancelled" | "moot" | "dead"
  attempts: Generated<number>
  last_error: string | null
  created_at: CreatedAt
  done_at: Timestamp | null
}

/** Messages between machines and jobs for the worker (e.g. writing the summary). */
export interface MessagesTable {
  id: GeneratedBigId
  campaign_id: string
  /** target machine; null for a job the worker runs itself */
  machine_id: BigId | null
  kind: "event" | "summary"
  /** unique: the same message is never queued twice */
  dedupe_key: string
  event: Json
  status: "pending" | "done" | "moot" | "dead"
  attempts: Generated<number>
  available_at: Timestamp
  last_error: string | null
  created_at: CreatedAt
  done_at: Timestamp | null
}

/** A unit's report for a task; each resubmission is a new row with attempt + 1. */
export interface ReportsTable {
  id: GeneratedBigId
  campaign_id: string
  unit_key: string
  task_key: string
  attempt: number
  status: "submitted" | "approved" | "returned"
  narrative: Json<Record<string, string>>
  submitted_by: string
  submitted_at: Timestamp
  reviewed_by: string | null
  reviewed_at: Timestamp | null
  return_reason: string | null
  /** 审批意见: the approver's comment; null before 0021 and on returns */
  review_comment: string | null
}

/** The figures of a report, as exact numerics. */
export interface ReportFiguresTable {
  report_id: BigId
  figure_key: string
  value: ColumnType<string, string, string>
}

/** A file's bytes, kept once by their SHA-256 (append-only). */
export interface AttachmentContentsTable {
  sha256: string
  size: ColumnType<string, string | number, never>
  bytes: ColumnType<Buffer, Buffer | Uint8Array, never>
  created_at: CreatedAt
}

/** One upload of a file for a unit's task (佐证材料): its name, sniffed type and size (append-only). */
export interface AttachmentsTable {
  id: GeneratedBigId
  campaign_id: string
  unit_key: string
  task_key: string
  name: string
  /** the MIME type sniffed from the content */
  type: string
  size: ColumnType<string, string | number, never>
  sha256: string
  uploaded_by: string
  uploaded_at: Timestamp
}

/** The files a submitted report names, in order (append-only). */
export interface ReportAttachmentsTable {
  report_id: BigId
  position: number
  attachment_id: BigId
}

/** Results of commands sent with an idempotency key, replayed on retry. */
export interface CommandResultsTable {
  principal_id: string
  idempotency_key: string
  request_hash: string
  result: Json
  created_at: CreatedAt
}

/** Notifications for people (reminders, overdue notices, returns): an outbox. */
export interface NotificationsTable {
  id: GeneratedBigId
  campaign_id: string
  unit_key: string
  kind: "reminder" | "overdue" | "returned" | "approved" | "phase-opened" | "nudge" | "escalated"
  body: Json
  created_at: CreatedAt
  delivered_at: Timestamp | null
  /** when the notice was fanned out to its unit's people (null: not yet) */
  expanded_at: Timestamp | null
}

/** A notice on its way to one person through one channel. */
export interface DeliveriesTable {
  id: GeneratedBigId
  notification_id: string
  /** the person reached; null for a delivery to an endpoint */
  principal_id: string | null
  channel: "email" | "in-app" | "webhook" | "wecom" | "dingtalk"
  address: string | null
  status: "pending" | "failed" | "sent" | "parked"
  attempts: number
  next_attempt_at: Timestamp
  last_error: string | null
  sent_at: Timestamp | null
  read_at: Timestamp | null
  created_at: CreatedAt
  /** the endpoint reached (channel webhook, wecom or dingtalk); null for a person */
  webhook_id: ColumnType<string | null, string | number | null | undefined, never>
}

/** A person's notice preferences: kinds not sent by email, quiet hours (no row: the defaults). */
export interface NoticePreferencesTable {
  principal_id: string
  /** the notice kinds the person does not want by email (in-app always) */
  muted_kinds: ColumnType<ReadonlyArray<string>, string, string>
  /** quiet hours as HH:MM in `time_zone`, both or neither */
  quiet_from: string | null
  quiet_to: string | null
  time_zone: string
  updated_at: Timestamp
}

/** A campaign's webhook or group robot; kept after removal, which only marks it. */
export interface WebhooksTable {
  id: GeneratedBigId
  campaign_id: string
  kind: "webhook" | "wecom" | "dingtalk"
  url: string
  /** the notice kinds sent, or null for all */
  events: ColumnType<ReadonlyArray<string> | null, string | null, string | null>
  /** the signing secret (webhook, dingtalk); never returned by a read */
  secret: string | null
  created_by: string
  created_at: CreatedAt
  removed_by: string | null
  removed_at: Timestamp | null
}

/** Stored summaries: each version with its hash and the journal position it reflects. */
export interface SummariesTable {
  id: GeneratedBigId
  campaign_id: string
  version: number
  format: string
  content: string
  hash: string
  journal_seq: number
  created_at: CreatedAt
}

/** Signed statements of a campaign journal's length and head hash. */
export interface CheckpointsTable {
  id: GeneratedBigId
  campaign_id: string
  seq: number
  head: string | null
  reason: "phase" | "close" | "demand"
  occurred_at: Timestamp
  key_id: string
  signature: string
  recorded_at: CreatedAt
  /** the wall-clock time of signing, inside the signed claim (null on checkpoints older than the key ring) */
  signed_at: Timestamp | null
}

/** The key ring: the public half of every key that has signed checkpoints, with its validity. */
export interface SigningKeysTable {
  key_id: string
  algorithm: Generated<"ed25519">
  public_key: string
  valid_from: Timestamp
  valid_until: Timestamp | null
  recorded_at: CreatedAt
}

/** API tokens: the secret is kept only as its SHA-256. */
export interface TokensTable {
  id: string
  principal_id: string
  secret_hash: string
  label: string | null
  created_at: CreatedAt
  expires_at: Timestamp | null
  revoked_at: Timestamp | null
  last_used_at: Timestamp | null
}

/**
 * Refused attempts counted per window, one row per (principal, action, target): the first of
 * a window is journaled in `campaign_id`'s chain (when `journaled`), `pending` counts those no
 * journal row has reported yet. `campaign_id` is null for a target in no campaign.
 */
export interface DenialsTable {
  principal: string
  action: string
  target: string
  campaign_id: string | null
  journaled: boolean
  window_start: Timestamp
  last_at: Timestamp
  attempts: number
  pending: ColumnType<number, number | undefined, number>
}

/** A person's password: an argon2id PHC string, with the count of failures and the lock they set. */
export interface CredentialsTable {
  principal_id: string
  password_hash: string
  changed_at: Timestamp
  failed_count: ColumnType<number, number | undefined, number>
  locked_until: Timestamp | null
}

/** A one-time invitation: the SHA-256 of its token, never the token. */
export interface InvitationsTable {
  id: string
  token_hash: string
  principal_id: string
  created_by: string
  created_at: CreatedAt
  expires_at: Timestamp
  used_at: Timestamp | null
  revoked_at: Timestamp | null
}

/** A signed-in session; its id is the SHA-256 of its secret. */
export interface SessionsTable {
  id: string
  principal_id: string
  created_at: Timestamp
  last_seen_at: Timestamp
  idle_expires_at: Timestamp
  absolute_expires_at: Timestamp
  revoked_at: Timestamp | null
  user_agent: string | null
  address: string | null
}

/** What people do to people: invitations, sign-ins, sign-outs, refusals (append-only). */
export interface PeopleLogTable {
  id: GeneratedBigId
  at: Timestamp
  actor: string
  action: string
  subject: string
  detail: Json<Record<string, unknown>>
}

/** A person's TOTP secret: pending until confirmed; the last time step accepted, so no code counts twice. */
export interface SecondFactorsTable {
  principal_id: string
  secret: string
  created_at: Timestamp
  confirmed_at: Timestamp | null
  last_step: ColumnType<string | null, string | number | bigint | null, string | number | bigint | null>
}

/** A one-time recovery code: its SHA-256, never the code. */
export interface RecoveryCodesTable {
  principal_id: string
  code_hash: string
  created_at: Timestamp
  used_at: Timestamp | null
}

/** Every table of the database. */
export interface Database {
  units: UnitsTable
  principals: PrincipalsTable
  definitions: DefinitionsTable
  campaigns: CampaignsTable
  machines: MachinesTable
  tasks: TasksTable
  journal: JournalTable
  timers: TimersTable
  messages: MessagesTable
  reports: ReportsTable
  report_figures: ReportFiguresTable
  attachment_contents: AttachmentContentsTable
  attachments: AttachmentsTable
  report_attachments: ReportAttachmentsTable
  command_results: CommandResultsTable
  notifications: NotificationsTable
  deliveries: DeliveriesTable
  notice_preferences: NoticePreferencesTable
  webhooks: WebhooksTable
  summaries: SummariesTable
  checkpoints: CheckpointsTable
  tokens: TokensTable
  signing_keys: SigningKeysTable
  denials: DenialsTable
  credentials: CredentialsTable
  invitations: InvitationsTable
  sessions: SessionsTable
  people_log: PeopleLogTable
  second_factors: SecondFactorsTable
  recovery_codes: RecoveryCodesTable
}

export type UnitRow = Selectable<UnitsTable>
export type PrincipalRow = Selectable<PrincipalsTable>
export type CampaignRow = Selectable<CampaignsTable>
export type MachineRow = Selectable<MachinesTable>
export type TaskRow = Selectable<TasksTable>
export type JournalRow = Selectable<JournalTable>
export type NewJournalRow = Insertable<JournalTable>
export type TimerRow = Selectable<TimersTable>
export type MessageRow = Selectable<MessagesTable>
export type ReportRow = Selectable<ReportsTable>
export type MachineUpdate = Updateable<MachinesTable>
export type CheckpointRow = Selectable<CheckpointsTable>
export type SigningKeyRow = Selectable<SigningKeysTable>
