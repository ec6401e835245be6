/** Reading campaign definitions and report bodies from files. */
import { readFile } from "node:fs/promises"
import { extname, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { InvalidInput } from "@liandong/engine/runtime"
import type { Problem } from "@liandong/workflow"
import { Effect } from "effect"

const fileProblem = (path: string, zh: string, en: string) => new InvalidInput({ problems: [{ path, zh, en }] })

/** Reads and parses a JSON file, failing with a clear message. */
export const readJsonFile = (path: string) =>
  Effect.tryPromise({
    try: async () => JSON.parse(await readFile(path, "utf8")) as unknown,
    catch: (error) =>
      fileProblem(path, `无法读取 JSON 文件:${String(error)}`, `cannot read JSON file: ${String(error)}`),
  })

/** The problems of a DefinitionError, from this copy of @liandong/workflow or a project's own (the SDK). */
const definitionProblems = (error: unknown): ReadonlyArray<Problem> | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const { _tag, problems } = error as { _tag?: unknown; problems?: unknown }
  return _tag === "DefinitionError" && Array.isArray(problems) ? (problems as Problem[]) : undefined
}

/**
 * Loads a campaign definition: the default export (or `campaign` export) of a .ts/.js module, or a
 * .json file. A module whose `defineCampaign` refuses the definition fails with its problems, each
 * naming its field, as a deploy refuses it.
 */
export const loadDefinitionFile = (path: string) =>
  extname(path) === ".json"
    ? readJsonFile(path)
    : Effect.tryPromise({
        try: async () => {
          const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown; campaign?: unknown }
          const definition = module.default ?? module.campaign
          if (definition === undefined) throw new Error("no default export")
          return definition
        },
        catch: (error) => {
          const problems = definitionProblems(error)
          if (problems !== undefined) return new InvalidInput({ problems: [...problems] })
          return fileProblem(
            path,
            `无法加载活动定义文件(需默认导出活动定义):${String(error)}`,
            `cannot load the campaign file (it must default-export a definition): ${String(error)}`,
          )
        },
      })
