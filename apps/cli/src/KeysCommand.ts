/**
 * `liandong keys init`: makes the deployment's checkpoint key, once, on purpose.
 * No process makes one on its own: servers and workers refuse to start without
 * it, so a key is always one somebody made, backed up and handed out.
 */
import { keyFileFromEnv, provisionSigningKey } from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { run } from "./Run.ts"

/** A failure with its own words stays as it is; a file system's refusal is said for this file. */
const keyFailure = (path: string) => (error: unknown) => {
  if (typeof error === "object" && error !== null && "zh" in error && "en" in error) return error
  const code = (error as NodeJS.ErrnoException).code ?? String(error)
  return { zh: `无法写入签名密钥文件 ${path}(${code})`, en: `cannot write the signing key file ${path} (${code})` }
}

const init = Command.make(
  "init",
  {
    out: Flag.String("out").pipe(
      Flag.withDescription(
        "where to write the key (default: LIANDONG_KEY or LIANDONG_KEY_FILE, else .liandong/keys/checkpoint-ed25519.pem)",
      ),
      Flag.optional,
    ),
    ifMissing: Flag.Boolean("if-missing").pipe(
      Flag.withDescription("when a key is already there, leave it and succeed"),
      Flag.withDefault(false),
    ),
  },
  ({ out, ifMissing }) =>
    run(
      function* (ctx) {
        const path = Option.isSome(out)
          ? out.value
          : yield* Effect.try({ try: () => keyFileFromEnv(), catch: (error) => error })
        const key = yield* Effect.try({
          try: () => provisionSigningKey(path, { ifMissing }),
          catch: keyFailure(path),
        })
        if (ctx.json) return json({ created: key.created, keyId: key.keyId, path: key.path })
        if (!key.created)
          return `签名密钥已存在,未作改动:${key.keyId}(${key.path})/ the signing key exists, nothing done: ${key.keyId} (${key.path})`
        return [
          `*** 已生成新的签名密钥 / a new signing key was created: ${key.keyId} ***`,
          `  文件 file: ${key.path}(仅所有者可读写 / mode 0600)`,
          "  请立即备份此文件,并以机密方式提供给每台服务器和后台进程(LIANDONG_KEY 或 LIANDONG_KEY_FILE);",
          "  检查点由它签名,丢失后无法再以此密钥签名,泄露则他人可伪造检查点。",
          "  Back this file up now and give it, as a secret, to every server and worker (LIANDONG_KEY or",
          "  LIANDONG_KEY_FILE): it signs the checkpoints; lost, nothing signs with it again; leaked, anyone can forge them.",
        ].join("\n")
      },
      { database: false },
    ),
).pipe(
  Command.withDescription(
    "生成部署的检查点签名密钥(只需一次)/ create the deployment's checkpoint signing key, once; refuses if one exists",
  ),
)

/** The keys command. */
export const keysCommand = Command.make("keys").pipe(
  Command.withSubcommands([init]),
  Command.withDescription("签名密钥文件 / the signing key file: init"),
)
