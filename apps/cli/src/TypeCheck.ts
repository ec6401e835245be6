/**
 * Type-checks a campaign project with TypeScript's own API, as `tsc --noEmit -p <project>`
 * would: the project's typescript when it has one, else the CLI's. TypeScript 7 answers through
 * `typescript/unstable/sync` (its compiler runs as a child process); an older typescript through
 * its classic API (`createProgram`). Loaded only here, so other commands never load it.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { pathToFileURL } from "node:url"

/** One error TypeScript reports. */
export interface TypeError {
  /** The file, relative to the project; "" for the project as a whole. */
  readonly file: string
  readonly line: number
  readonly column: number
  readonly code: number
  readonly text: string
}

/** What a check found, and which TypeScript found it. */
export interface TypeCheck {
  readonly typescript: string
  readonly errors: ReadonlyArray<TypeError>
}

/** The folder of the tsconfig.json nearest above `file`, if any. */
export const projectOf = (file: string): string | undefined => {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "tsconfig.json"))) return dir
    if (dir === dirname(dir)) return undefined
  }
}

const lineAndColumn = (text: string, position: number) => {
  const before = text.slice(0, position).split("\n")
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

// ---- TypeScript 7 -------------------------------------------------------------------------------

interface Diagnostic7 {
  readonly fileName?: string | undefined
  readonly pos: number
  readonly code: number
  readonly text: string
}

// TypeScript 7's API runs its compiler as a child process that says "context canceled" on stderr
// when it is closed: the check runs in a node of its own, whose stderr is read, not shown.
const script7 = `
const [api, project] = process.argv.slice(1)
const { API } = await import(api)
const chain = (d, depth = 0) => ["  ".repeat(depth) + d.text, ...(d.messageChain ?? []).map((c) => chain(c, depth + 1))].join("\\n")
const client = new API({ cwd: project })
const config = project + "/tsconfig.json"
let found = null
try {
  const program = client.updateSnapshot({ openProjects: [config] }).getProject(config)?.program
  if (program !== undefined)
    found = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getProgramDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(),
      ...program.getSemanticDiagnostics(),
    ]
      .filter((d) => d.category === 1)
      .map((d) => ({ fileName: d.fileName, pos: d.pos, code: d.code, text: chain(d) }))
} finally {
  client.close()
}
process.stdout.write(JSON.stringify(found))
`

const check7 = (api: string, project: string): TypeError[] => {
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script7, api, project], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
  if (child.status !== 0) throw new Error(child.stderr.trim().split("\n").at(-1) ?? `exit ${child.status}`)
  const found = JSON.parse(child.stdout) as Diagnostic7[] | null
  if (found === null) return [{ file: "tsconfig.json", line: 1, column: 1, code: 0, text: "no TypeScript project" }]
  const texts = new Map<string, string>()
  return found.map((each) => {
    if (each.fileName === undefined) return { file: "", line: 0, column: 0, code: each.code, text: each.text }
    if (!texts.has(each.fileName)) texts.set(each.fileName, readFileSync(each.fileName, "utf8"))
    const at = lineAndColumn(texts.get(each.fileName) ?? "", each.pos)
    return { file: relative(project, each.fileName), ...at, code: each.code, text: each.text }
  })
}

// ---- TypeScript 5 and 6 ---------------------------------------------------------------------------

interface Classic {
  readonly version: string
  readonly sys: { readFile(path: string): string | undefined }
  readConfigFile(path: string, read: (path: string) => string | undefined): { config?: unknown; error?: unknown }
  parseJsonConfigFileContent(
    json: unknown,
    host: unknown,
    base: string,
  ): { fileNames: string[]; options: unknown; errors: unknown[] }
  createProgram(options: { rootNames: string[]; options: unknown }): unknown
  getPreEmitDiagnostics(program: unknown): ReadonlyArray<ClassicDiagnostic>
  flattenDiagnosticMessageText(text: unknown, newLine: string): string
}
interface ClassicDiagnostic {
  readonly file?: { fileName: string; getLineAndCharacterOfPosition(at: number): { line: number; character: number } }
  readonly start?: number
  readonly code: number
  readonly category: number
  readonly messageText: unknown
}

const checkClassic = (ts: Classic, project: string): TypeError[] => {
  const read = ts.readConfigFile(join(project, "tsconfig.json"), (path) => ts.sys.readFile(path))
  const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, project)
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options })
  const found = [...(parsed.errors as ClassicDiagnostic[]), ...ts.getPreEmitDiagnostics(program)]
  return found
    .filter((each) => each.category === 1)
    .map((each) => {
      const text = ts.flattenDiagnosticMessageText(each.messageText, "\n")
      if (each.file === undefined || each.start === undefined)
        return { file: "", line: 0, column: 0, code: each.code, text }
      const at = each.file.getLineAndCharacterOfPosition(each.start)
      return {
        file: relative(project, each.file.fileName),
        line: at.line + 1,
        column: at.character + 1,
        code: each.code,
        text,
      }
    })
}

// ---- Which TypeScript ----------------------------------------------------------------------------

/** The project's own typescript: TypeScript 7's API, or an older one's classic API. */
const projectTypeScript = (project: string) => {
  const require = createRequire(join(project, "package.json"))
  try {
    const api = pathToFileURL(require.resolve("typescript/unstable/sync")).href
    const version = (require("typescript/package.json") as { version: string }).version
    return { version, run: (dir: string) => check7(api, dir) }
  } catch {}
  try {
    const ts = require("typescript") as Classic
    if (typeof ts.createProgram === "function")
      return { version: ts.version, run: (dir: string) => checkClassic(ts, dir) }
  } catch {}
  return undefined
}

/** Type-checks the project whose tsconfig.json is in `project`. */
export const typeCheck = (project: string): TypeCheck => {
  const own = projectTypeScript(project)
  if (own !== undefined) return { typescript: `${own.version}, project`, errors: own.run(project) }
  const require = createRequire(import.meta.url)
  const api = pathToFileURL(require.resolve("typescript/unstable/sync")).href
  const { version } = require("typescript/package.json") as { version: string }
  return { typescript: `${version}, liandong`, errors: check7(api, project) }
}

/** A type error as one line (and its chain below): `campaign.ts:12:7 TS2322 …`. */
export const typeErrorText = (error: TypeError): string =>
  `${error.file === "" ? "" : `${error.file}:${error.line}:${error.column} `}TS${error.code} ${error.text}`
