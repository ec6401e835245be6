/**
 * 联动 Liandong SDK — @liandong/workflow:编写活动定义 / writing campaign definitions.
 *
 * 活动定义语言见 docs/definition-language.md / the definition language: docs/definition-language.md.
 *
 * These declarations are plain TypeScript and need no other package. In the Liandong repository,
 * packages/workflow/test/sdk-types.test.ts holds them equal to the types of the code they describe.
 */

// ---- 作者编写的形式 / What an author writes ------------------------------------------------

/** 标识:小写字母、数字和连字符,最长 63 字符 / a key: lower-case letters, digits and dashes, at most 63 characters. */
export type Key = string

/** 中文名称,可附英文 / a label in Chinese, with an optional English rendering. */
export interface Label {
  readonly zh: string
  readonly en?: string | undefined
}

/** 参与方式:主办、承办、协办、成员单位、下级单位 / how a unit takes part. */
export type UnitRole = "host" | "implementer" | "co-organiser" | "member" | "subordinate"

/** 行政层级 / administrative level. */
export type UnitLevel = "national" | "province" | "city" | "county"

/**
 * 日期或日期时间:`2026-04-13`(整天)、`2026-04-13T09:00`(活动时区的当地时间)或带 `Z`/时差的时刻 /
 * a date (a whole day), a local date-time in the campaign's time zone, or an instant with `Z` or an offset.
 */
export type DateTimeInput = string

/** ISO-8601 时长,如 `P1D`、`PT4H`、`P1DT12H` / an ISO-8601 duration of days, hours and minutes. */
export type Duration = string

/** 任务须报送的数据项 / a figure a task must report. */
export interface FigureInput {
  readonly key: Key
  /** 写成动宾短语,总结中读作“共发放宣传资料10000多份” / a verb phrase: the summary reads “共<label><total><measure>”. */
  readonly label: Label
  /** 量词:份、场、人次、家 / the measure word. */
  readonly measure: string
  /** 默认 `integer` / default `integer`. */
  readonly kind?: "integer" | "decimal" | undefined
  /** 默认 0 / default 0. */
  readonly min?: number | undefined
  readonly max?: number | undefined
  /** 小数位数(0–6,默认 2)/ decimal places allowed (0–6, default 2). */
  readonly scale?: number | undefined
  /** 汇总方式,默认 `sum` / how totals are made, default `sum`. */
  readonly aggregate?: "sum" | "max" | "min" | undefined
  /** `approximate` 写作“260余人次”;默认 `exact` / `approximate` phrases totals the official way. */
  readonly phrasing?: "approximate" | "exact" | undefined
  /** 默认 true / default true. */
  readonly required?: boolean | undefined
}

/** 报送的文字项 / a free-text part of a report. */
export interface NarrativeInput {
  readonly key: Key
  readonly label: Label
  readonly required?: boolean | undefined
  readonly maxLength?: number | undefined
  /** 该项只写活动的地点、日期或人员(供简报导语)/ the field holds only the place, date or people of the activity. */
  readonly about?: string | undefined
}

/**
 * 数据项之间的规则:`"attended <= invited"`、`{ check, when?, message? }` 或 `{ when, require, message? }` /
 * a rule between a task's figures: an expression, one with a condition, or a condition requiring a narrative field.
 */
export type RuleInput =
  | string
  | {
      readonly check: string
      readonly when?: string | undefined
      readonly message?: Label | undefined
    }
  | {
      readonly when: string
      readonly require: Key
      readonly message?: Label | undefined
    }

/** 任务的承担单位 / who must take a task. */
export type AssignmentInput =
  | { readonly units: ReadonlyArray<Key> }
  | { readonly roles: ReadonlyArray<UnitRole> }
  | { readonly levels: ReadonlyArray<UnitLevel> }
  | { readonly subordinatesOf: Key }
  | { readonly everyone: true }

/** 阶段中的任务 / a task of a phase. */
export interface TaskInput {
  /** 在整个活动中唯一 / unique in the whole campaign. */
  readonly key: Key
  readonly title: Label
  /** 一句话说明任务要求 / one sentence on what the task asks for. */
  readonly description?: string | undefined
  readonly assign: AssignmentInput
  /** 不承担此任务的单位 / units left out of the assignment. */
  readonly except?: ReadonlyArray<Key> | undefined
  /** 须在阶段时间窗内 / inside the phase's window. */
  readonly deadline: DateTimeInput
  /** 截止前多久提醒 / reminders, as durations before the deadline. */
  readonly reminders?: ReadonlyArray<Duration> | undefined
  readonly figures?: ReadonlyArray<FigureInput> | undefined
  /** 默认:工作情况(必填)、亮点、困难和问题 / default: what was done (required), highlights, difficulties. */
  readonly narrative?: ReadonlyArray<NarrativeInput> | undefined
  readonly rules?: ReadonlyArray<RuleInput> | undefined
  /** 逾期多久仍未报送即上报上级单位,如 P2D / how long after the deadline an unreported task goes to the unit above. */
  readonly escalate?: Duration | undefined
  /** 部分单位延期;后写的覆盖先写的 / later deadlines for some units; the last naming a unit holds. */
  readonly extensions?:
    | ReadonlyArray<{ readonly units: ReadonlyArray<Key>; readonly deadline: DateTimeInput }>
    | undefined
}

/**
 * 阶段何时结束:`"all"`(默认,全部完成)、`"date"`(到期即结束)、`{ quorum: 0.8, early?: true }` /
 * when a phase closes: all done (default), at its closing date, or once a share of participants is done.
 */
export type GateInput =
  | "all"
  | "date"
  | {
      readonly quorum: number
      readonly early?: boolean | undefined
    }

/** 活动的阶段:筹备、宣传、执法、总结或自定 / a phase of the campaign. */
export interface PhaseInput {
  /** `preparation`、`publicity`、`enforcement`、`summary` 自带名称;其他须写 `name` / other keys need a `name`. */
  readonly key: Key
  readonly name?: Label | undefined
  /** 总结中本阶段的小标题,如“高度重视、精心组织” / the summary's section heading. */
  readonly heading?: string | undefined
  readonly opensAt: DateTimeInput
  readonly closesAt: DateTimeInput
  readonly gate?: GateInput | undefined
  readonly tasks: ReadonlyArray<TaskInput>
}

/** 单位是什么(协会、企业、执法大队…):一个词,或附英文 / what a unit is, in the office's own word. */
export type UnitKind = string | Label

/** 参与单位 / a participating unit. */
export interface UnitInput {
  readonly key: Key
  readonly name: string
  readonly nameEn?: string | undefined
  readonly role: UnitRole
  readonly kind?: UnitKind | undefined
  /** 上级单位 / the unit above it. */
  readonly parent?: Key | undefined
  readonly level?: UnitLevel | undefined
}

/** 活动总结中由本单位自拟的文字 / the words of the consolidated summary that are the office's own. */
export interface SummaryPhrases {
  /** 正文中的自称(我局、我办…)/ how the issuing office calls itself. */
  readonly self?: string | undefined
  readonly opening?: string | undefined
  readonly openingResult?: string | undefined
  /** 各阶段的导语,按阶段标识 / a lead paragraph per section, by phase key. */
  readonly leads?: { readonly [phase: string]: string } | undefined
  readonly countDifficulties?: boolean | undefined
  readonly difficultiesHeading?: string | undefined
  readonly difficultiesLead?: string | undefined
  readonly noDifficulties?: string | undefined
  readonly nextStepsHeading?: string | undefined
  readonly nextSteps?: string | undefined
  readonly closing?: string | undefined
}

/** 作者编写的整个活动 / the whole campaign as its author writes it. */
export interface CampaignInput {
  /** 活动标识 / the campaign id. */
  readonly key: Key
  /** 中文标题,总结题为“<title>活动总结” / the Chinese title. */
  readonly title: string
  readonly titleEn?: string | undefined
  /** 本届主题 / the year's theme. */
  readonly theme?: string | undefined
  /** 按照…的部署 / on whose instruction. */
  readonly authority?: string | undefined
  /** IANA 时区,默认 Asia/Shanghai / IANA time zone, default Asia/Shanghai. */
  readonly timeZone?: string | undefined
  /** 牵头单位的标识 / the unit that runs the campaign. */
  readonly coordinator: Key
  /** 至少一个 / at least one. */
  readonly units: ReadonlyArray<UnitInput>
  /** 按顺序,至少一个 / in order, at least one. */
  readonly phases: ReadonlyArray<PhaseInput>
  readonly summary?: SummaryPhrases | undefined
}

// ---- 规范化后的形式 / The normalized form ------------------------------------------------------

/** 比较运算 / how two sides compare. */
export type Operator = "<=" | "<" | "=" | ">=" | ">"

/** 一项:数据项的值或常数 / a term: a figure's value or a constant. */
export type Term = { readonly figure: string } | { readonly constant: string }

/** `left op right` */
export interface Comparison {
  readonly left: ReadonlyArray<Term>
  readonly op: Operator
  readonly right: ReadonlyArray<Term>
}

/** 解析后的规则 / a rule in its normalized form. */
export interface Rule {
  readonly text: string
  readonly when: Comparison | null
  readonly check: Comparison | null
  readonly require: string | null
  readonly message: { readonly zh: string; readonly en?: string | undefined } | null
}

/** 报送中数据项和文字项的名称 / how figures and narrative fields are named in messages. */
export interface RuleLabels {
  readonly figure: (key: string) => { readonly zh: string; readonly en: string }
  readonly narrative: (key: string) => { readonly zh: string; readonly en: string }
}

/** 填齐默认值的数据项 / a figure with every default filled in. */
export interface Figure {
  readonly key: string
  readonly label: Label
  readonly measure: string
  readonly kind: "integer" | "decimal"
  readonly min: number
  readonly max: number | null
  readonly scale: number
  readonly aggregate: "sum" | "max" | "min"
  readonly phrasing: "approximate" | "exact"
  readonly required: boolean
}

/** 填齐默认值的文字项 / a narrative field with every default filled in. */
export interface NarrativeField {
  readonly key: string
  readonly label: Label
  readonly required: boolean
  readonly maxLength: number
  readonly about?: "place" | "date" | "people"
}

/** 承担单位已确定、时间为 UTC 的任务 / a task with its units resolved and its times in UTC. */
export interface Task {
  readonly key: string
  readonly phase: string
  readonly title: Label
  readonly description: string | null
  readonly units: ReadonlyArray<string>
  readonly deadline: string
  readonly reminders: ReadonlyArray<string>
  readonly figures: ReadonlyArray<Figure>
  readonly narrative: ReadonlyArray<NarrativeField>
  readonly rules?: ReadonlyArray<Rule>
  readonly extensions?: ReadonlyArray<Extension>
  readonly escalate?: string
}

/** 部分单位的延期,提醒随之顺延 / a later deadline for some units, reminders moved with it. */
export interface Extension {
  readonly units: ReadonlyArray<string>
  readonly deadline: string
  readonly reminders: ReadonlyArray<string>
}

/** 阶段结束条件 / when a phase closes. */
export type Gate =
  | { readonly kind: "all" }
  | { readonly kind: "date" }
  | { readonly kind: "quorum"; readonly ratio: number; readonly early?: true }

/** 时间窗为 UTC 的阶段 / a phase with its window in UTC. */
export interface Phase {
  readonly key: string
  readonly name: Label
  readonly heading: string | null
  readonly opensAt: string
  readonly closesAt: string
  readonly gate: Gate
  readonly tasks: ReadonlyArray<Task>
  readonly participants: ReadonlyArray<string>
}

/** 规范化后的单位 / a unit with its level resolved. */
export interface Unit {
  readonly key: string
  readonly name: string
  readonly nameEn: string | null
  readonly role: UnitRole
  readonly parent: string | null
  readonly level: UnitLevel | null
  readonly kind?: { readonly zh: string; readonly en: string | null }
}

/** 规范化后的活动:存储、计算哈希并编译为状态机的形式 / the normalized campaign: stored, hashed, compiled. */
export interface Campaign {
  readonly key: string
  readonly title: string
  readonly titleEn: string | null
  readonly theme: string | null
  readonly authority: string | null
  readonly timeZone: string
  readonly coordinator: string
  readonly units: ReadonlyArray<Unit>
  readonly phases: ReadonlyArray<Phase>
  readonly summary: SummaryPhrases
}

// ---- 问题与结果 / Problems and results ----------------------------------------------------------

/** 输入中的一处问题,中英文,并指明字段 / one thing wrong with an input, naming its field. */
export interface Problem {
  /** 如 `phases[1].tasks[0].deadline`;整体问题为 "" / the field, or "" for the whole input. */
  readonly path: string
  readonly zh: string
  readonly en: string
}

/** 成功或失败 / a success or a failure (the shape of Effect's `Result`). */
export type Result<A, E> =
  | { readonly _tag: "Success"; readonly success: A }
  | { readonly _tag: "Failure"; readonly failure: E }

/** 通过检查的报送 / a report that passed its task's checks. */
export interface ValidReport {
  /** 数据项 → 规范的十进制文本 / figure key → canonical decimal text. */
  readonly figures: Readonly<Record<string, string>>
  readonly narrative: Readonly<Record<string, string>>
}

/** 无法部署的定义,列出全部问题 / a definition that cannot be deployed, with every problem found. */
export declare class DefinitionError extends Error {
  readonly _tag: "DefinitionError"
  readonly problems: ReadonlyArray<Problem>
}

// ---- 函数 / Functions ------------------------------------------------------------------------

/**
 * 在代码中定义活动:立即检查(有问题时抛出列明全部问题的 DefinitionError),原样返回定义 /
 * defines a campaign in code: checks it at once (throwing a DefinitionError naming every problem)
 * and returns it as written, ready to deploy.
 */
export declare function defineCampaign<const C extends CampaignInput>(input: C): C

/**
 * 解码、规范化并检查定义,与部署时完全相同 / decodes, normalizes and checks a definition exactly as a deploy does:
 * the normalized campaign, or every problem found.
 */
export declare function validateCampaign(input: unknown): Result<Campaign, ReadonlyArray<Problem>>

/** 已知有效的定义的规范化形式(无效时抛出)/ the normalized campaign of a valid definition (throws otherwise). */
export declare function normalizeCampaign(input: CampaignInput): Campaign

/** 可以部署但可能有误之处(部署时作为提醒列出)/ what deploys but is probably a mistake (the deploy's notes). */
export declare function campaignWarnings(campaign: Campaign): Problem[]

/** 规范化活动的内容哈希,与服务器存储的相同 / the content hash of a normalized campaign, as the server stores it. */
export declare function campaignHash(campaign: Campaign): string

/** 规范 JSON(键排序、无空白)/ canonical JSON: sorted keys, no white space. */
export declare function canonicalJson(value: unknown): string

/** 把问题写成行:`路径: 中文 / English` / problems as lines. */
export declare function formatProblems(problems: ReadonlyArray<Problem>, lang?: "zh" | "en" | "both"): string

/** 按任务检查一份报送,与服务器相同 / validates a report for a task, as the server does. */
export declare function validateReport(
  task: Task,
  input: {
    readonly figures: Readonly<Record<string, string | number>>
    readonly narrative?: Readonly<Record<string, string>>
  },
): Result<ValidReport, Problem[]>

/** 按规则检查报送的数据项 / the problems a report's figures and narrative give under rules. */
export declare function checkRules(
  rules: ReadonlyArray<Rule>,
  figures: Readonly<Record<string, string>>,
  narrative: Readonly<Record<string, string>>,
  labels: RuleLabels,
): Problem[]

/** 解析比较式,或返回原因(“中文 / English”)/ parses a comparison, or says why it does not parse. */
export declare function parseComparison(text: string): Comparison | string

/** 规则的规范化形式,或无法解析的原因 / the normalized rule, or why it does not parse. */
export declare function ruleOf(source: RuleInput): Rule | string

/** 未另行规定时每份报送的文字项 / the narrative every report has unless a task says otherwise. */
export declare const defaultNarrative: ReadonlyArray<NarrativeField>

/** 参与方式的中英文名称 / Chinese and English names of the unit roles. */
export declare const unitRoleLabels: Readonly<Record<UnitRole, { readonly zh: string; readonly en: string }>>
