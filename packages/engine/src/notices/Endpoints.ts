/**
 * Posting notices to a campaign's webhooks and group robots: the fan-out (one delivery per
 * endpoint asking for the notice's kind, in the fan-out's transaction), the request of each
 * kind (a signed JSON POST; 企业微信's and 钉钉's markdown), and the pass that posts those due,
 * settling each in the transaction that claimed it. A non-2xx answer, a redirect, a timeout,
 * or a robot's `errcode` other than 0 is a failed attempt, retried with the email's backoff.
 */
import type { NotificationsTable } from "@liandong/store"
import { type Campaign, unitOf } from "@liandong/workflow"
import { Context, Effect } from "effect"
import { wallNow } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { type EndpointDelivery, type FanOutWork, markFailed, markSent } from "../sql/Notices.ts"
import { claimDueEndpointDeliveries } from "../sql/Webhooks.ts"
import { dingtalkSign, signWebhook } from "./Signature.ts"

type NoticeKind = NotificationsTable["kind"]

/** The kinds of endpoint. */
export const endpointKinds = ["webhook", "wecom", "dingtalk"] as const
export type EndpointKind = (typeof endpointKinds)[number]

/**
 * The hosts webhooks may reach, from `LIANDONG_WEBHOOK_ALLOW`: comma- or space-separated
 * patterns, each a host name (`oapi.dingtalk.com`), `*.` and a domain (its subdomains), or
 * `*` (any); null when unset, which allows any host.
 */
export const webhookAllowFromEnv = (env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> | null => {
  const value = env.LIANDONG_WEBHOOK_ALLOW?.trim()
  if (value === undefined || value === "") return null
  return value
    .split(/[\s,]+/u)
    .map((p) => p.toLowerCase())
    .filter((p) => p !== "")
}

/** The hosts this process lets webhooks reach (null: any); tests and embedders may provide their own. */
export const WebhookAllowRef = Context.Reference<ReadonlyArray<string> | null>("@liandong/engine/WebhookAllow", {
  defaultValue: () => webhookAllowFromEnv(),
})

/** True when `host` matches one of the patterns (null: no list, any host). */
export const hostAllowed = (host: string, patterns: ReadonlyArray<string> | null): boolean => {
  if (patterns === null) return true
  const name = host.toLowerCase().replace(/^\[|\]$/gu, "")
  return patterns.some(
    (p) => p === "*" || p === name || (p.startsWith("*.") && name.endsWith(p.slice(1)) && name.length > p.length - 1),
  )
}

/**
 * A URL as lists and the journal show it: its query hidden, and any path segment of more than
 * 16 characters (where some services put a token, e.g. `/hook/3f9c…`) shown as `…`.
 */
export const shownUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    const path = parsed.pathname
      .split("/")
      .map((segment) => (segment.length > 16 ? "…" : segment))
      .join("/")
    return `${parsed.protocol}//${parsed.host}${path}${parsed.search === "" ? "" : "?…"}`
  } catch {
    return "?"
  }
}

/** A notice's deliveries to its campaign's endpoints that ask for its kind (all kinds: `events` null). */
export const endpointDeliveriesOf = (
  notices: ReadonlyArray<{ readonly id: string; readonly campaign_id: string; readonly kind: string }>,
  endpoints: FanOutWork["endpoints"],
  now: Date,
): EndpointDelivery[] => {
  const rows: EndpointDelivery[] = []
  for (const notice of notices)
    for (const endpoint of endpoints)
      if (endpoint.campaign_id === notice.campaign_id && (endpoint.events?.includes(notice.kind) ?? true))
        rows.push({ notification_id: notice.id, webhook_id: endpoint.id, channel: endpoint.kind, next_attempt_at: now })
  return rows
}

/** One POST as it goes out. */
export interface EndpointRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The JSON a webhook carries: the same `id` on every attempt. */
export interface WebhookBody {
  readonly id: string
  readonly campaign: string
  readonly campaignTitle: string
  readonly kind: string
  readonly unit: string
  readonly task: string | null
  readonly phase: string | null
  readonly occurredAt: string
  readonly subject: string
}

/** The Chinese markdown of a notice for a group robot: the subject as a heading, then the email's Chinese lines. */
export const robotMarkdown = (words: { readonly subject: string; readonly text: string }): string => {
  const chinese = words.text.split("\n—\n")[0] ?? words.text
  const lines = chinese
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
  return [`### ${words.subject}`, ...lines].join("\n\n")
}

/** The request for one delivery to one endpoint, signed at `signedAt` (the wall clock). */
export const endpointRequest = (
  delivery: {
    readonly id: string
    readonly endpoint: EndpointKind
    readonly url: string
    readonly secret: string | null
    readonly campaign: string
    readonly kind: NoticeKind
    readonly unit: string
    readonly body: unknown
    readonly occurredAt: string
  },
  words: { readonly subject: string; readonly text: string; readonly campaignTitle: string },
  signedAt: Date,
): EndpointRequest => {
  const json = { "content-type": "application/json; charset=utf-8", "user-agent": "Liandong-Webhooks/1" }
  if (delivery.endpoint === "wecom")
    return {
      url: delivery.url,
      headers: json,
      body: JSON.stringify({ msgtype: "markdown", markdown: { content: robotMarkdown(words) } }),
    }
  if (delivery.endpoint === "dingtalk") {
    const url = new URL(delivery.url)
    if (delivery.secret !== null) {
      const { timestamp, sign } = dingtalkSign(delivery.secret, signedAt.getTime())
      url.searchParams.set("timestamp", timestamp)
      url.searchParams.set("sign", sign)
    }
    return {
      url: url.toString(),
      headers: json,
      body: JSON.stringify({ msgtype: "markdown", markdown: { title: words.subject, text: robotMarkdown(words) } }),
    }
  }
  const about = (delivery.body ?? {}) as { task?: string | null; phase?: string | null }
  const body: WebhookBody = {
    id: delivery.id,
    campaign: delivery.campaign,
    campaignTitle: words.campaignTitle,
    kind: delivery.kind,
    unit: delivery.unit,
    task: about.task ?? null,
    phase: about.phase ?? null,
    occurredAt: delivery.occurredAt,
    subject: words.subject,
  }
  const text = JSON.stringify(body)
  return {
    url: delivery.url,
    headers: { ...json, ...signWebhook(delivery.secret ?? "", delivery.id, text, signedAt) },
    body: text,
  }
}

/** The first `limit` bytes of an answer's body, as text; the rest is not read. */
const head = async (response: Response, limit: number): Promise<string> => {
  const reader = response.body?.getReader()
  if (reader === undefined) return ""
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < limit) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => undefined)
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8")
}

/** Posts a request; fails with why when the answer is not a success (for a robot, `errcode` 0). */
const post = async (endpoint: EndpointKind, request: EndpointRequest, timeoutMs: number, signal: AbortSignal) => {
  const response = await fetch(request.url, {
    method: "POST",
    headers: request.headers,
    body: request.body,
    redirect: "manual",
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  })
  const text = await head(response, 16_384)
  if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`)
  if (endpoint === "webhook") return
  let answer: { errcode?: unknown; errmsg?: unknown }
  try {
    answer = JSON.parse(text)
  } catch {
    throw new Error(`not a robot's answer: ${text.slice(0, 200)}`)
  }
  if (answer.errcode !== 0) throw new Error(`errcode ${String(answer.errcode)}: ${String(answer.errmsg ?? "")}`)
}

const reason = (error: unknown): string => {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out"
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message
  }
  return String(error)
}

/** How the pass goes: as many attempts and as large a batch as the email's (see `DeliveryOptions`). */
export interface EndpointOptions {
  readonly maxAttempts?: number
  readonly sendBatch?: number
  readonly webhookTimeoutMs?: number
}

/** What the pass borrows from the email's (Notices.ts): the words of a notice, and the backoff. */
export interface NoticeTools {
  readonly noticeText: (
    campaign: Campaign,
    notice: { readonly kind: NoticeKind; readonly unit: string; readonly body: unknown },
    person: string,
  ) => { subject: string; text: string }
  readonly backoffSeconds: (attempts: number) => number
}

/** Posts the deliveries to endpoints due at `now`, each settled in the transaction that claimed it. */
export const sendDueEndpoints = (now: Date, options: EndpointOptions, { noticeText, backoffSeconds }: NoticeTools) =>
  Effect.gen(function* () {
    const tally = { sent: 0, failed: 0, parked: 0 }
    const maxAttempts = options.maxAttempts ?? 8
    const timeoutMs = options.webhookTimeoutMs ?? 10_000
    const allow = yield* Effect.service(WebhookAllowRef)
    yield* transaction("notices.sendEndpoints", (tx) =>
      Effect.gen(function* () {
        const due = yield* query(
          "notices.claimEndpoints",
          (db) => claimDueEndpointDeliveries(db, now, options.sendBatch ?? 20),
          tx,
        )
        // Prepared one by one (the transaction's queries), posted together, settled one by one.
        type Outcome = { readonly error: string; readonly parkNow: boolean } | null
        const attempts: Array<{ readonly delivery: (typeof due)[number]; readonly post: Effect.Effect<Outcome> }> = []
        for (const delivery of due) {
          const id = String(delivery.id)
          if (delivery.removed_at !== null) {
            attempts.push({ delivery, post: Effect.succeed({ error: "endpoint removed / 端点已移除", parkNow: true }) })
            continue
          }
          if (!hostAllowed(new URL(delivery.url).hostname, allow)) {
            const error = "host not allowed by LIANDONG_WEBHOOK_ALLOW / 主机不在允许范围内"
            attempts.push({ delivery, post: Effect.succeed({ error, parkNow: false }) })
            continue
          }
          const campaign = (yield* loadCampaign(delivery.campaign_id, tx)).definition
          const unitName = unitOf(campaign, delivery.unit_key)?.name ?? delivery.unit_key
          const words = noticeText(
            campaign,
            { kind: delivery.kind, unit: delivery.unit_key, body: delivery.body },
            unitName,
          )
          const request = endpointRequest(
            {
              id,
              endpoint: delivery.endpoint,
              url: delivery.url,
              secret: delivery.secret,
              campaign: delivery.campaign_id,
              kind: delivery.kind,
              unit: delivery.unit_key,
              body: delivery.body,
              occurredAt: new Date(delivery.created_at).toISOString(),
            },
            { ...words, campaignTitle: campaign.title },
            yield* wallNow,
          )
          attempts.push({
            delivery,
            post: Effect.tryPromise({
              try: (signal) => post(delivery.endpoint, request, timeoutMs, signal),
              catch: reason,
            }).pipe(
              Effect.map((): Outcome => null),
              Effect.catch((error) => Effect.succeed<Outcome>({ error, parkNow: false })),
            ),
          })
        }
        // A slow endpoint holds the pass (and its transaction) up to its timeout, not once per delivery.
        const outcomes = yield* Effect.forEach(attempts, (attempt) => attempt.post, { concurrency: 8 })
        for (const [index, outcome] of outcomes.entries()) {
          const delivery = (attempts[index] as (typeof attempts)[number]).delivery
          const id = String(delivery.id)
          if (outcome === null) {
            yield* query("notices.sent", (db) => markSent(db, id, now), tx)
            tally.sent++
            continue
          }
          const parked = outcome.parkNow || delivery.attempts + 1 >= maxAttempts
          const next = new Date(now.getTime() + backoffSeconds(delivery.attempts) * 1000)
          yield* query("notices.failed", (db) => markFailed(db, id, { parked, next, error: outcome.error }), tx)
          if (parked) tally.parked++
          else tally.failed++
        }
      }),
    )
    return tally
  })
