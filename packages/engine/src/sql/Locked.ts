/** What the statements that lock a command's machine answer (`Machines.ts`), apart so that `Db.ts` can name it. */
import type { MachineRow } from "@liandong/store"

/** The earliest item due on a machine, as `lockNextDueOfMachine` finds it. */
export interface DueItem {
  readonly kind: "timer" | "message"
  readonly id: string
}

/** A machine locked for a command: whether its key was claimed, the definition the campaign pins, the row and its first look. */
export interface LockedMachine {
  readonly claimed: boolean | undefined
  readonly pinned: string | null
  readonly machine: { readonly row: MachineRow; readonly due: DueItem | undefined; readonly fresh: boolean } | undefined
}
