/** The frame a wide table scrolls inside on a phone. */
import type { ReactNode } from "react"

/**
 * Focusable, so the keyboard can scroll a table with nothing focusable in it, and named
 * after its table for whoever lands on it; a group, not a landmark, so names may repeat.
 */
export const TableFrame = ({ label, children }: { readonly label: string; readonly children: ReactNode }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling frame must take focus to be scrolled by keyboard
  // biome-ignore lint/a11y/useSemanticElements: a fieldset is for form controls; this only frames a table
  <div className="table-wrap" role="group" aria-label={label} tabIndex={0}>
    {children}
  </div>
)
