/** What the statements that lock a command's machine answer (`Machines.ts`), apart so that `Db.ts` can name it. */
import type { MachineRow } from "@liandong/store"

/** The earliest item due on a machine, as `lockNextDueOfMachine` finds it. */
export interface DueItem {
  readonly kind: "timer" | "message"
  readonly id: string
}

/** A file a task's latest report carries: the upload's id and what the journal says of it. */
export interface KeptFile {
  readonly id: string
  readonly sha256: string
  readonly name: string
  readonly type: string
  readonly size: string
}

/**
 * A report's place, taken with its machine's lock for a command that submits one: its id (from
 * the reports' sequence), its attempt (one after the task's latest), and the files of the task's
 * latest report, which a resubmission naming none keeps. Valid while the machine stays locked:
 * every report of a unit is written under its machine's lock.
 */
export interface ReportSlot {
  readonly id: string
  readonly attempt: number
  readonly kept: ReadonlyArray<KeptFile>
}

/** A machine locked for a command: whether its key was claimed, the definition the campaign pins, the row and its first look. */
export interface LockedMachine {
  readonly claimed: boolean | undefined
  readonly pinned: string | null
  readonly machine: { readonly row: MachineRow; readonly due: DueItem | undefined; readonly fresh: boolean } | undefined
  /** the report's place, when asked and the machine did not change while its lock was awaited */
  readonly report?: ReportSlot
}
