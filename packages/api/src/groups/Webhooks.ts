/**
 * A campaign's webhooks and group robots (企业微信, 钉钉): its coordinator registers and removes
 * them; the coordinator and auditors list them, never with a secret. See docs/notices.md for
 * what each receives and how a webhook is signed.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, Key } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"
import { NoticeKind } from "./Notices.ts"

/** What kind of endpoint: a signed JSON POST, or a 企业微信 or 钉钉 group robot. */
export const EndpointKind = Schema.Literals(["webhook", "wecom", "dingtalk"])

/** An endpoint's number. */
export const WebhookId = Schema.String.check(
  Schema.isPattern(/^[1-9][0-9]{0,17}$/u, { message: "端点编号须为正整数 / an endpoint id is a positive integer" }),
).annotate({ description: "an endpoint's number", examples: ["3"] })

/** Registering an endpoint. */
export const NewWebhook = Schema.Struct({
  kind: EndpointKind,
  url: Schema.String.check(
    Schema.isMaxLength(2000, { message: "地址过长(最长 2000 字符) / the URL is too long (at most 2000 characters)" }),
    Schema.isPattern(/^https?:\/\/\S+$/iu, {
      message: "须为 http:// 或 https:// 开头的地址 / must be an http:// or https:// URL",
    }),
  ).annotate({
    description: "where to POST: any http(s) URL for a webhook; the robot's URL with its key or access_token",
    examples: ["https://hooks.example.gov.cn/liandong", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"],
  }),
  events: Schema.optional(
    Schema.NullOr(
      Schema.Array(NoticeKind).check(
        Schema.isMinLength(1, { message: "至少选择一种通知 / choose at least one kind of notice" }),
        Schema.isMaxLength(20, { message: "通知种类过多 / too many kinds" }),
      ),
    ),
  ).annotate({ description: "the kinds of notice sent; absent or null: every kind" }),
  secret: Schema.optional(
    Schema.String.check(
      Schema.isPattern(/^[\x21-\x7e]{16,200}$/u, {
        message:
          "密钥须为 16 至 200 个可见 ASCII 字符 / the secret must be 16 to 200 printable ASCII characters without spaces",
      }),
    ),
  ).annotate({
    description: "webhook: the signing secret (generated when absent); dingtalk: the robot's 加签 secret; wecom: none",
  }),
})

/** An endpoint as listed: its URL with the query hidden, never its secret. */
export const Webhook = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literals(["webhook", "wecom", "dingtalk"]),
  url: Schema.String,
  events: Schema.NullOr(Schema.Array(Schema.String)),
  /** whether it has a secret (a webhook always does) */
  signed: Schema.Boolean,
  createdBy: Schema.String,
  createdAt: Schema.String,
})

/** A registered endpoint, with a webhook's secret: shown in this answer only. */
export const AddedWebhook = Schema.Struct({
  ...Webhook.fields,
  campaign: Schema.String,
  secret: Schema.NullOr(Schema.String),
  replayed: Schema.optional(Schema.Boolean),
})

/** The webhooks group. */
export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.get("list", "/campaigns/:campaign/webhooks", {
      params: { campaign: Key },
      success: Schema.Array(Webhook),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("add", "/campaigns/:campaign/webhooks", {
      params: { campaign: Key },
      headers: IdempotencyHeaders,
      payload: NewWebhook,
      success: AddedWebhook,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.delete("remove", "/campaigns/:campaign/webhooks/:webhook", {
      params: { campaign: Key, webhook: WebhookId },
      success: Schema.Struct({ campaign: Schema.String, webhook: Schema.String, removed: Schema.Boolean }),
      error: writeProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(
    OpenApi.annotations({
      title: "webhooks",
      description: "通知端点:签名 webhook、企业微信与钉钉群机器人 / webhooks and group robots",
    }),
  ) {}
