/**
 * Report drafts: kept in this browser's localStorage, one per principal and
 * task, until the report is submitted or the draft discarded. Never sent.
 */

/** A draft's content. */
export interface Draft {
  readonly figures: Readonly<Record<string, string>>
  readonly narrative: Readonly<Record<string, string>>
  readonly savedAt: string
}

const keyOf = (principal: string, task: string) => `liandong.draft.${principal}.${task}`

/** The saved draft of a task, if any. */
export const loadDraft = (principal: string, task: string): Draft | null => {
  try {
    const raw = localStorage.getItem(keyOf(principal, task))
    if (raw === null) return null
    const value = JSON.parse(raw) as Draft
    return typeof value === "object" && value !== null && typeof value.savedAt === "string" ? value : null
  } catch {
    return null
  }
}

/** Saves a draft and returns it. */
export const saveDraft = (principal: string, task: string, content: Omit<Draft, "savedAt">): Draft => {
  const draft = { ...content, savedAt: new Date().toISOString() }
  localStorage.setItem(keyOf(principal, task), JSON.stringify(draft))
  return draft
}

/** Forgets a draft. */
export const dropDraft = (principal: string, task: string): void => localStorage.removeItem(keyOf(principal, task))
