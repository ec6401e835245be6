/**
 * The browser's check of a report before it is sent: the very function the
 * engine runs on the server (@liandong/workflow's validateReport), so both
 * sides apply the same bounds and say the same words.
 */
import type { TaskItem } from "@liandong/api"
import type { Task } from "@liandong/workflow"
import { validateReport } from "@liandong/workflow/report"
import type { Language } from "../../i18n/Messages.ts"

/** The problems of a report by field path (`figures.x`, `narrative.y`), in the reader's language. */
export const checkReport = (
  task: TaskItem,
  input: { figures: Record<string, string>; narrative: Record<string, string> },
  lang: Language,
): Record<string, string> => {
  // validateReport reads only the task's key, title, figures, narrative and rules.
  const definition = {
    key: task.task,
    title: { zh: task.title.zh, en: task.title.en ?? undefined },
    figures: task.figures,
    narrative: task.narrative,
    rules: task.rules,
  } as unknown as Task
  const figures = Object.fromEntries(Object.entries(input.figures).filter(([, v]) => v.trim() !== ""))
  const result = validateReport(definition, { figures, narrative: input.narrative })
  if (result._tag === "Success") return {}
  const out: Record<string, string> = {}
  for (const problem of result.failure) {
    const text = lang === "en" ? problem.en : problem.zh
    out[problem.path] = out[problem.path] ? `${out[problem.path]};${text}` : text
  }
  return out
}
