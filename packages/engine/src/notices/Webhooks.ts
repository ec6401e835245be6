/**
 * A campaign's webhooks and group robots, managed by its coordinator: registered (a signed
 * JSON POST, `webhook`; or the group robot of 企业微信, `wecom`, or 钉钉, `dingtalk`), listed
 * for the coordinator and auditors, removed. Registering and removing are journaled in the
 * campaign's chain (`webhook.added`, `webhook.removed`: not machine events, see Verify.ts);
 * a refusal is journaled like any other. Delivery itself is Endpoints.ts.
 *
 * A secret signs; it is shown once, when registered, and never read back (`listWebhooks`
 * says only whether there is one). A URL often holds a key (企业微信's `key`, 钉钉's
 * `access_token`): lists and the journal show it with its query hidden.
 */
import type { NotificationsTable } from "@liandong/store"
import { Effect, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { journalDenial } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import { query, type Tx } from "../Db.ts"
import { InvalidInput, NotAllowed } from "../Errors.ts"
import { appendJournal, journaled } from "../Journal.ts"
import { decode } from "../Refs.ts"
import { visibleCampaign } from "../reads/Scope.ts"
import { campaignMachine } from "../sql/Machines.ts"
import { insertWebhook, markWebhookRemoved, selectWebhooks } from "../sql/Webhooks.ts"
import { type EndpointKind, endpointKinds, hostAllowed, shownUrl, WebhookAllowRef } from "./Endpoints.ts"
import { newWebhookSecret } from "./Signature.ts"

type NoticeKind = NotificationsTable["kind"]

// Every kind of notice; the compiler asks for a new kind here, so an endpoint can choose it.
const everyNoticeKind: Record<NoticeKind, true> = {
  reminder: true,
  overdue: true,
  returned: true,
  approved: true,
  nudge: true,
  escalated: true,
  "phase-opened": true,
}
/** The kinds of notice an endpoint may ask for. */
export const noticeKinds = Object.keys(everyNoticeKind) as ReadonlyArray<NoticeKind>

/** What registering an endpoint takes. */
export const WebhookInput = Schema.Struct({
  kind: Schema.Literals(endpointKinds),
  url: Schema.String.check(
    Schema.isMaxLength(2000, { message: "地址过长(最长 2000 字符) / the URL is too long (at most 2000 characters)" }),
    Schema.isPattern(/^https?:\/\/\S+$/iu, {
      message: "须为 http:// 或 https:// 开头的地址 / must be an http:// or https:// URL",
    }),
  ),
  /** the notice kinds sent; absent or null: all of them, kinds added later included */
  events: Schema.optional(
    Schema.NullOr(
      Schema.Array(Schema.Literals(noticeKinds)).check(
        Schema.isMinLength(1, { message: "至少选择一种通知 / choose at least one kind of notice" }),
        Schema.isMaxLength(20, { message: "通知种类过多 / too many kinds" }),
      ),
    ),
  ),
  /** webhook: the signing secret (generated when absent); dingtalk: the robot's 加签 secret, if any */
  secret: Schema.optional(
    Schema.String.check(
      Schema.isPattern(/^[\x21-\x7e]{16,200}$/u, {
        message:
          "密钥须为 16 至 200 个可见 ASCII 字符 / the secret must be 16 to 200 printable ASCII characters without spaces",
      }),
    ),
  ),
})

const WebhookId = Schema.String.check(
  Schema.isPattern(/^[1-9][0-9]{0,17}$/u, { message: "端点编号须为正整数 / an endpoint id is a positive integer" }),
)

const problem = (path: string, zh: string, en: string) => new InvalidInput({ problems: [{ path, zh, en }] })

/** What is wrong with an endpoint's URL and secret for its kind, if anything. */
const checkEndpoint = (
  input: typeof WebhookInput.Type,
  allow: ReadonlyArray<string> | null,
): InvalidInput | undefined => {
  let url: URL
  try {
    url = new URL(input.url)
  } catch {
    return problem("url", "不是有效的地址", "not a valid URL")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return problem("url", "须为 http:// 或 https:// 开头的地址", "must be an http:// or https:// URL")
  if (url.username !== "" || url.password !== "")
    return problem("url", "地址中不得含用户名或密码", "the URL may not hold a user name or password")
  if (!hostAllowed(url.hostname, allow))
    return problem(
      "url",
      `主机 ${url.hostname} 不在允许的范围内(LIANDONG_WEBHOOK_ALLOW)`,
      `host ${url.hostname} is not allowed (LIANDONG_WEBHOOK_ALLOW)`,
    )
  if (input.kind === "wecom" && !url.searchParams.get("key"))
    return problem(
      "url",
      "企业微信群机器人地址须含 key 参数(…/cgi-bin/webhook/send?key=…)",
      "a WeCom robot URL holds its key (…/cgi-bin/webhook/send?key=…)",
    )
  if (input.kind === "dingtalk" && !url.searchParams.get("access_token"))
    return problem(
      "url",
      "钉钉群机器人地址须含 access_token 参数(…/robot/send?access_token=…)",
      "a DingTalk robot URL holds its access_token (…/robot/send?access_token=…)",
    )
  if (input.kind === "wecom" && input.secret !== undefined)
    return problem("secret", "企业微信群机器人不使用密钥", "a WeCom robot takes no secret")
  return undefined
}

const refuse = (actor: Actor, action: string, campaignId: string, zh: string) =>
  Effect.fail(
    new NotAllowed({
      actor: actor.id,
      action,
      zh,
      en: `may not ${action.replace("webhook.", "")} the webhooks of campaign "${campaignId}"`,
    }),
  ).pipe(journalDenial(campaignId, actor, action, campaignId))

const manager = (campaign: unknown, actor: Actor, action: string) =>
  Effect.gen(function* () {
    const id = yield* decode(
      Schema.String.check(
        Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/u, { message: "活动标识格式不正确 / not a campaign key" }),
      ),
      campaign,
    )
    const loaded = yield* visibleCampaign(id, actor)
    if (!manages(actor, loaded.definition))
      return yield* refuse(actor, action, id, `只有活动“${loaded.definition.title}”的牵头单位可以管理其通知端点`)
    return loaded
  })

const journalEndpoint = (tx: Tx, campaignId: string, actor: Actor, event: { type: string; [k: string]: unknown }) =>
  Effect.gen(function* () {
    const machine = yield* query("webhook.machine", (db) => campaignMachine(db, campaignId), tx)
    if (machine === undefined) return
    yield* appendJournal(tx, {
      campaignId,
      machineId: machine.id,
      unit: null,
      actor,
      cause: "command",
      idempotencyKey: null,
      event,
      before: null,
      after: null,
      occurredAt: yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now),
    })
  })

/** One endpoint as lists show it: never its secret, its URL with the query hidden. */
export interface WebhookView {
  readonly id: string
  readonly kind: EndpointKind
  readonly url: string
  readonly events: ReadonlyArray<string> | null
  readonly signed: boolean
  readonly createdBy: string
  readonly createdAt: string
}

/**
 * Registers an endpoint for a campaign (its coordinator): journaled in the campaign's chain.
 * Answers the endpoint and, for a `webhook`, its secret — generated unless given — shown
 * only here.
 */
export const addWebhook = (campaign: unknown, input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* manager(campaign, actor, "webhook.add")
    const endpoint = yield* decode(WebhookInput, input)
    const invalid = checkEndpoint(endpoint, yield* Effect.service(WebhookAllowRef))
    if (invalid !== undefined) return yield* Effect.fail(invalid)
    const secret = endpoint.kind === "webhook" ? (endpoint.secret ?? newWebhookSecret()) : (endpoint.secret ?? null)
    const events = endpoint.events === undefined || endpoint.events === null ? null : [...new Set(endpoint.events)]
    const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const campaignId = loaded.row.id
    const id = yield* journaled("webhook.add", (tx) =>
      Effect.gen(function* () {
        const id = yield* query(
          "webhook.insert",
          (db) =>
            insertWebhook(db, {
              campaign_id: campaignId,
              kind: endpoint.kind,
              url: endpoint.url,
              events,
              secret,
              created_by: actor.id,
              created_at: now,
            }),
          tx,
        )
        yield* journalEndpoint(tx, campaignId, actor, {
          type: "webhook.added",
          webhook: id,
          kind: endpoint.kind,
          url: shownUrl(endpoint.url),
          events,
          signed: secret !== null,
        })
        return id
      }),
    )
    const view: WebhookView = {
      id,
      kind: endpoint.kind,
      url: shownUrl(endpoint.url),
      events,
      signed: secret !== null,
      createdBy: actor.id,
      createdAt: now.toISOString(),
    }
    // Shown once: a generated secret, or the one given, for a webhook to verify with.
    return { ...view, campaign: campaignId, secret: endpoint.kind === "webhook" ? secret : null }
  })

/** A campaign's endpoints in use, for its coordinator and auditors: never a secret. */
export const listWebhooks = (campaign: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const id = yield* decode(
      Schema.String.check(
        Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/u, { message: "活动标识格式不正确 / not a campaign key" }),
      ),
      campaign,
    )
    const loaded = yield* visibleCampaign(id, actor)
    const auditor = actor.kind === "principal" && actor.role === "auditor"
    if (!manages(actor, loaded.definition) && !auditor)
      return yield* refuse(actor, "webhook.list", id, `无权查看活动“${loaded.definition.title}”的通知端点`)
    const rows = yield* query("webhook.list", (db) => selectWebhooks(db, id))
    return rows.map(
      (row): WebhookView => ({
        id: String(row.id),
        kind: row.kind,
        url: shownUrl(row.url),
        events: row.events,
        signed: row.signed,
        createdBy: row.created_by,
        createdAt: new Date(row.created_at).toISOString(),
      }),
    )
  })

/**
 * Removes an endpoint of a campaign (its coordinator), journaled; nothing more is sent to it.
 * Removing one not in use (already removed, or no such) answers `removed: false` and changes nothing.
 */
export const removeWebhook = (campaign: unknown, webhook: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* manager(campaign, actor, "webhook.remove")
    const id = yield* decode(WebhookId, webhook)
    const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const campaignId = loaded.row.id
    return yield* journaled("webhook.remove", (tx) =>
      Effect.gen(function* () {
        const removed = yield* query(
          "webhook.remove",
          (db) => markWebhookRemoved(db, campaignId, id, actor.id, now),
          tx,
        )
        if (removed === undefined) return { campaign: campaignId, webhook: id, removed: false }
        yield* journalEndpoint(tx, campaignId, actor, {
          type: "webhook.removed",
          webhook: id,
          kind: removed.kind,
          url: shownUrl(removed.url),
        })
        return { campaign: campaignId, webhook: id, removed: true }
      }),
    )
  })
