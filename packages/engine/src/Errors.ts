/**
 * Every way a command can fail, as tagged values. Each carries a Chinese and an
 * English sentence so the CLI and the API print the same words.
 */
import { Schema } from "effect"

const Problem = Schema.Struct({ path: Schema.String, zh: Schema.String, en: Schema.String })

/** The input did not decode: each problem names its field. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  problems: Schema.Array(Problem),
}) {
  get zh(): string {
    return this.problems.map((p) => (p.path ? `${p.path}: ${p.zh}` : p.zh)).join(";")
  }
  get en(): string {
    return this.problems.map((p) => (p.path ? `${p.path}: ${p.en}` : p.en)).join("; ")
  }
}

/** The thing asked for does not exist, or the caller may not know it exists. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  what: Schema.Literals([
    "campaign",
    "unit",
    "phase",
    "task",
    "report",
    "principal",
    "summary",
    "definition",
    "token",
    "attachment",
  ]),
  ref: Schema.String,
}) {
  static readonly labels = {
    campaign: ["活动", "campaign"],
    unit: ["单位", "unit"],
    phase: ["阶段", "phase"],
    task: ["任务", "task"],
    report: ["报送", "report"],
    principal: ["用户", "principal"],
    summary: ["总结", "summary"],
    definition: ["活动定义", "definition"],
    token: ["访问令牌", "token"],
    attachment: ["附件", "attachment"],
  } as const
  get zh(): string {
    return `未找到${NotFound.labels[this.what][0]}“${this.ref}”`
  }
  get en(): string {
    return `${NotFound.labels[this.what][1]} "${this.ref}" not found`
  }
}

/** The principal's role or unit does not allow the action. */
export class NotAllowed extends Schema.TaggedError<NotAllowed>()("NotAllowed", {
  actor: Schema.String,
  action: Schema.String,
  zh: Schema.String,
  en: Schema.String,
}) {}

/** The machine's current state does not accept the event. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  state: Schema.String,
  event: Schema.String,
  accepts: Schema.Array(Schema.String),
  zh: Schema.String,
  en: Schema.String,
}) {}

/** The same idempotency key was used before with a different request. */
export class IdempotencyConflict extends Schema.TaggedError<IdempotencyConflict>()("IdempotencyConflict", {
  key: Schema.String,
}) {
  get zh(): string {
    return `幂等键“${this.key}”已用于另一个不同的请求`
  }
  get en(): string {
    return `idempotency key "${this.key}" was already used for a different request`
  }
}

/** A campaign in a state that forbids the command (e.g. redeploying a running campaign). */
export class CampaignState extends Schema.TaggedError<CampaignState>()("CampaignState", {
  campaign: Schema.String,
  status: Schema.String,
  zh: Schema.String,
  en: Schema.String,
}) {}

/**
 * The campaign's definition changed after the command loaded it (found when its machine was
 * locked): the command runs again on a fresh copy (`onFreshCampaign`), never answered with this.
 */
export class CampaignChanged extends Schema.TaggedError<CampaignChanged>()("CampaignChanged", {
  campaign: Schema.String,
}) {}

/** A body larger than the limit: refused while reading, before anything was stored. */
export class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", {
  limit: Schema.Number,
}) {
  get zh(): string {
    return `文件超过 ${this.limit} 字节的上限`
  }
  get en(): string {
    return `the file is larger than the limit of ${this.limit} bytes`
  }
}

/** The database failed; `retryable` tells a serialization failure or deadlock from a real fault. */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  operation: Schema.String,
  code: Schema.optional(Schema.String),
  retryable: Schema.Boolean,
  cause: Schema.Defect(),
}) {
  get zh(): string {
    return `数据库操作失败(${this.operation}${this.code ? `, ${this.code}` : ""})`
  }
  get en(): string {
    return `database operation failed (${this.operation}${this.code ? `, ${this.code}` : ""})`
  }
}

/** Any failure a command may return. */
export type CommandError =
  | InvalidInput
  | NotFound
  | NotAllowed
  | InvalidTransition
  | IdempotencyConflict
  | CampaignState
  | TooLarge
  | StoreError

/** The bilingual sentence of an engine error. */
export const describeError = (error: CommandError): { zh: string; en: string } => ({ zh: error.zh, en: error.en })
