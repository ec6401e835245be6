/** A unit's screens, loaded together as one chunk. */
export { History } from "./History.tsx"
export { Inbox } from "./Inbox.tsx"
export { TaskPage } from "./TaskPage.tsx"
