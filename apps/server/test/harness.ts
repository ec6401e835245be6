/**
 * The server for real, over HTTP on a random port, against a test store;
 * a small client; and a fingerprint of everything a request could change.
 */
import type { Store } from "@liandong/store"
import { sql } from "kysely"
import type { ServerConfig } from "../src/Config.ts"
import { type RunningServer, startServer } from "../src/Server.ts"
import { engineServices, seededAt } from "./fixture.ts"

/** Starts the server on port 0 over `store`, its clock at `at`. */
export const startTestServer = (
  store: Store,
  keyFile: string,
  overrides: Partial<ServerConfig> = {},
  at = seededAt,
): Promise<RunningServer> =>
  startServer(
    {
      host: "127.0.0.1",
      port: 0,
      bodyLimit: 64 * 1024,
      rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
      webDist: null,
      worker: false,
      livePollMs: 1000,
      requestExpiry: { retentionSeconds: 7 * 86_400, everyMs: 60 * 60 * 1000, batch: 1000 },
      ...overrides,
    },
    engineServices(store, keyFile, at),
  )

/** An answer: status, headers, the body as text, and as JSON when it is JSON. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

/** Options of one request. */
export interface Call {
  readonly token?: string | undefined
  readonly body?: unknown
  /** a body sent as is (not JSON-encoded) */
  readonly raw?: string | undefined
  readonly headers?: Record<string, string>
  readonly lang?: string | undefined
}

/** Sends one request to the server at `base`. */
export const call = async (base: string, method: string, path: string, options: Call = {}): Promise<Answer> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.lang !== undefined) headers["accept-language"] = options.lang
  let body: string | undefined
  if (options.raw !== undefined) body = options.raw
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers["content-type"] ??= "application/json"
  }
  const response = await fetch(`${base}${path}`, { method, headers, body })
  const text = await response.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/**
 * Everything but refused attempts: row counts, machine versions, report states, stored
 * idempotency answers, units and principals, and the journal's length without its
 * `access.denied` rows.
 */
export const fingerprint = async (store: Store): Promise<string> => {
  const { rows } = await sql<Record<string, unknown>>`
    select
      (select count(*) from reports) as reports,
      (select string_agg(id || ':' || status, ',' order by id) from reports) as report_states,
      (select count(*) from report_figures) as figures,
      (select count(*) from attachments) as attachments,
      (select count(*) from attachment_contents) as attachment_contents,
      (select count(*) from report_attachments) as report_attachments,
      (select coalesce(sum(version), 0) from machines) as machine_versions,
      (select count(*) from tasks) as tasks,
      (select string_agg(status, ',' order by campaign_id, unit_key, task_key) from tasks) as task_states,
      (select count(*) from journal where event <> 'access.denied') as journal,
      (select count(*) from definitions) as definitions,
      (select count(*) from campaigns) as campaigns,
      (select count(*) from checkpoints) as checkpoints,
      (select count(*) from command_results) as command_results,
      (select count(*) from timers) as timers,
      (select count(*) from messages) as messages,
      (select count(*) from notifications) as notifications,
      (select string_agg(principal_id || ':' || muted_kinds::text || ':' || coalesce(quiet_from, '') || '-'
        || coalesce(quiet_to, '') || ':' || time_zone, ',' order by principal_id) from notice_preferences)
        as notice_preferences,
      (select string_agg(campaign_id || '/' || key || ':' || name || '<' || coalesce(parent_key, ''), ','
        order by campaign_id, key) from units) as units,
      (select string_agg(id || ':' || role || ':' || coalesce(unit_key, ''), ',' order by id) from principals)
        as principals`.execute(store.db)
  return JSON.stringify(rows[0])
}

/** How many refused attempts the journal holds. */
export const denials = async (store: Store): Promise<number> => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from journal where event = 'access.denied'`.execute(
    store.db,
  )
  return Number(rows[0]?.n ?? 0)
}

/** True when `answer` is an RFC 9457 problem with the status it was sent with. */
export const isProblem = (answer: Answer): boolean =>
  (answer.headers.get("content-type") ?? "").startsWith("application/problem+json") &&
  typeof answer.json?.type === "string" &&
  answer.json.status === answer.status &&
  typeof answer.json.title === "string"
