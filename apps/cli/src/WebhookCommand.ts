/**
 * `liandong webhook add|list|remove <campaign>`: a campaign's webhooks and the group robots of
 * 企业微信 and 钉钉, managed by its coordinator (`--as`); auditors may list. A webhook's secret
 * is printed once, when added; a secret of one's own is read from a file, never the command line.
 */
import { addWebhook, noticeKinds, removeWebhook } from "@liandong/engine/commands"
import { listWebhooks } from "@liandong/engine/reads"
import { Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json, table, when } from "./Output.ts"
import { readSecret } from "./PersonCommand.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const campaignArgument = Argument.String("campaign")

const add = Command.make(
  "add",
  {
    campaign: campaignArgument,
    url: Flag.String("url").pipe(Flag.withDescription("接收地址 / where to POST (http or https)")),
    kind: Flag.Literals("kind", ["webhook", "wecom", "dingtalk"]).pipe(
      Flag.withDescription("webhook(签名 JSON)、wecom(企业微信群机器人)或 dingtalk(钉钉群机器人)"),
      Flag.withDefault("webhook" as const),
    ),
    event: Flag.String("event").pipe(
      Flag.withDescription(
        `只发送这些通知(可重复;默认全部)/ only these notices, repeatable: ${noticeKinds.join(", ")}`,
      ),
      Flag.atLeast(0),
    ),
    secretFile: Flag.String("secret-file").pipe(
      Flag.withDescription("密钥所在文件(第一行;webhook 默认生成,钉钉为加签密钥)/ a file holding the secret"),
      Flag.optional,
    ),
  },
  ({ campaign, url, kind, event, secretFile }) =>
    run(function* (ctx) {
      const secret = Option.isSome(secretFile) ? yield* readSecret(secretFile.value) : undefined
      const added = yield* addWebhook(
        campaign,
        {
          kind,
          url,
          events: event.length === 0 ? null : event,
          ...(secret === undefined ? {} : { secret }),
        },
        yield* actorFor(ctx.as),
      )
      if (ctx.json) return json(added)
      const lines = [`端点 ${added.id} 已登记(${added.kind},${added.url})/ endpoint ${added.id} registered`]
      if (added.secret !== null && secret === undefined)
        lines.unshift(
          added.secret,
          "以上为签名密钥,只显示这一次,请妥善保存 / the signing secret above is shown only once; keep it safe",
        )
      return lines.join("\n")
    }),
).pipe(Command.withDescription("登记通知端点 / register a webhook or group robot"))

const list = Command.make("list", { campaign: campaignArgument }, ({ campaign }) =>
  run(function* (ctx) {
    const rows = yield* listWebhooks(campaign, yield* actorFor(ctx.as))
    if (ctx.json) return json(rows)
    if (rows.length === 0) return "没有通知端点 / no endpoints"
    return table(
      ["端点 id", "类型 kind", "地址 url", "通知 events", "签名 signed", "登记人 by", "登记 created"],
      rows.map((r) => [
        r.id,
        r.kind,
        r.url,
        r.events === null ? "全部 all" : r.events.join(", "),
        r.signed ? "是 yes" : "否 no",
        r.createdBy,
        when(r.createdAt),
      ]),
    )
  }),
).pipe(Command.withDescription("列出通知端点(不含密钥)/ list endpoints, without secrets"))

const remove = Command.make("remove", { campaign: campaignArgument, id: Argument.String("id") }, ({ campaign, id }) =>
  run(function* (ctx) {
    const result = yield* removeWebhook(campaign, id, yield* actorFor(ctx.as))
    if (ctx.json) return json(result)
    return result.removed
      ? `端点 ${id} 已移除 / endpoint removed`
      : `端点 ${id} 不在使用中,未作改动 / endpoint ${id} is not in use; nothing changed`
  }),
).pipe(Command.withDescription("移除通知端点 / remove an endpoint"))

/** The webhook command group. */
export const webhookCommand = Command.make("webhook").pipe(
  Command.withSubcommands([add, list, remove]),
  Command.withDescription("通知端点:签名 webhook、企业微信与钉钉群机器人 / webhooks and group robots"),
)
