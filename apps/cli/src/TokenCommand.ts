/** `liandong token create|revoke|list`: API tokens, managed by the operator. */
import { createToken, revokeToken } from "@liandong/engine/commands"
import { listTokens } from "@liandong/engine/reads"
import { Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json, table, when } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const create = Command.make(
  "create",
  {
    principal: Argument.String("principal"),
    label: Flag.String("label").pipe(Flag.optional),
    expiresDays: Flag.Int("expires-days").pipe(Flag.withDescription("valid for this many days"), Flag.optional),
  },
  ({ principal, label, expiresDays }) =>
    run(function* (ctx) {
      const created = yield* createToken(
        principal,
        { label: Option.getOrUndefined(label), expiresInDays: Option.getOrUndefined(expiresDays) },
        yield* actorFor(ctx.as),
      )
      return ctx.json
        ? json(created)
        : `${created.token}\n令牌 ${created.id} 已为 ${principal} 创建${created.expiresAt ? `,有效期至 ${when(created.expiresAt)}` : ""};此令牌只显示这一次,请妥善保存 / token created for ${principal}; it is shown only once`
    }),
).pipe(Command.withDescription("为用户创建访问令牌 / create an API token"))

const revoke = Command.make("revoke", { id: Argument.String("id") }, ({ id }) =>
  run(function* (ctx) {
    const result = yield* revokeToken(id, yield* actorFor(ctx.as))
    return ctx.json ? json(result) : `令牌 ${id} 已吊销 / token revoked`
  }),
).pipe(Command.withDescription("吊销访问令牌 / revoke an API token"))

const list = Command.make("list", {}, () =>
  run(function* (ctx) {
    const rows = yield* listTokens(yield* actorFor(ctx.as))
    if (ctx.json) return json(rows)
    if (rows.length === 0) return "没有访问令牌 / no tokens"
    return table(
      ["令牌 id", "用户 principal", "说明 label", "创建 created", "到期 expires", "吊销 revoked", "最近使用 last used"],
      rows.map((r) => [
        r.id,
        r.principal_id,
        r.label ?? "",
        when(r.created_at),
        when(r.expires_at),
        when(r.revoked_at),
        when(r.last_used_at),
      ]),
    )
  }),
).pipe(Command.withDescription("列出访问令牌 / list API tokens"))

/** The token command group. */
export const tokenCommand = Command.make("token").pipe(
  Command.withSubcommands([create, revoke, list]),
  Command.withDescription("访问令牌 / API tokens"),
)
