/**
 * Problems with input, in Chinese and English, each naming the field it is
 * about (`phases[1].tasks[0].deadline`). Schema decoding issues become
 * problems here, so every layer reports bad input the same way.
 */
import { SchemaAST, SchemaIssue } from "effect"

/** One thing wrong with an input. */
export interface Problem {
  /** Where: `phases[1].tasks[0].deadline`, `figures.brochures`, or "" for the whole input. */
  readonly path: string
  readonly zh: string
  readonly en: string
}

/** A path array as people read it: `phases[1].tasks[0].deadline`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    "",
  )

/** Splits a bilingual "中文 / English" annotation message. */
const bilingual = (message: string): { zh: string; en: string } => {
  const at = message.indexOf(" / ")
  return at < 0 ? { zh: message, en: message } : { zh: message.slice(0, at), en: message.slice(at + 3) }
}

const typeNames: Record<string, [string, string]> = {
  String: ["字符串", "a string"],
  Number: ["数字", "a number"],
  Boolean: ["布尔值(true/false)", "a boolean"],
  Arrays: ["数组", "an array"],
  Objects: ["对象", "an object"],
}

const describeExpected = (ast: SchemaAST.AST): [string, string] => {
  if (SchemaAST.isLiteral(ast)) return [`“${String(ast.literal)}”`, `"${String(ast.literal)}"`]
  if (SchemaAST.isUnion(ast)) {
    const literals = ast.types.filter(SchemaAST.isLiteral).map((t) => String(t.literal))
    if (literals.length === ast.types.length) {
      return [`以下之一:${literals.join("、")}`, `one of: ${literals.join(", ")}`]
    }
  }
  return typeNames[ast._tag] ?? ["正确的类型", "a value of the right type"]
}

const leafText = (issue: SchemaIssue.Leaf): { zh: string; en: string } => {
  switch (issue._tag) {
    case "MissingKey":
      return { zh: "缺少必填字段", en: "required field missing" }
    case "UnexpectedKey":
      return { zh: "不认识的字段", en: "unknown field" }
    case "InvalidType": {
      const [zh, en] = describeExpected(issue.ast)
      return { zh: `类型不正确,应为${zh}`, en: `expected ${en}` }
    }
    case "InvalidValue": {
      const message = issue.annotations?.message
      return typeof message === "string" ? bilingual(message) : { zh: "取值不正确", en: "invalid value" }
    }
    case "OneOf":
      return { zh: "同时符合多种写法,无法确定含义", en: "matches more than one form" }
    case "Forbidden":
      return { zh: "不允许的操作", en: "forbidden" }
  }
}

const encode = (text: { zh: string; en: string }) => JSON.stringify(text)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => encode(leafText(issue)),
  checkHook: (issue) => {
    const message = issue.filter.annotations?.message
    return typeof message === "string" ? encode(bilingual(message)) : undefined
  },
})

/** Turns a Schema issue into problems, one per bad field, in both languages. */
export const issueProblems = (issue: SchemaIssue.Issue): Problem[] =>
  formatter(issue).issues.map((entry) => {
    let text: { zh: string; en: string }
    try {
      text = JSON.parse(entry.message) as { zh: string; en: string }
    } catch {
      // Messages the hooks do not see (e.g. no member of a union matched) come in English.
      const expected = /^Expected (.+?)(?:, got .*)?$/u.exec(entry.message)?.[1]
      text =
        expected === undefined
          ? { zh: `取值不正确:${entry.message}`, en: entry.message }
          : {
              zh: `取值不正确,应为 ${expected.replaceAll('" | "', "”、“").replace(/^"/u, "“").replace(/"$/u, "”")}`,
              en: entry.message,
            }
    }
    const path = (entry.path ?? []).map((p) =>
      typeof p === "object" && p !== null ? (p as { key: PropertyKey }).key : p,
    )
    return { path: formatPath(path as PropertyKey[]), ...text }
  })

/** Problems as lines: `path: 中文` / `path: English` / both. */
export const formatProblems = (problems: ReadonlyArray<Problem>, lang: "zh" | "en" | "both" = "both"): string =>
  problems
    .map((p) => {
      const where = p.path === "" ? "" : `${p.path}: `
      if (lang === "zh") return `${where}${p.zh}`
      if (lang === "en") return `${where}${p.en}`
      return `${where}${p.zh} / ${p.en}`
    })
    .join("\n")
