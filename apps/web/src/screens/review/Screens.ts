/** The review queue and the report page, one chunk. */
export { Queue } from "./Queue.tsx"
export { ReportPage } from "./ReportPage.tsx"
