/** @liandong/report — the consolidated summary (活动总结) from approved reports. */
export { renderMarkdown } from "./Markdown.ts"
export {
  buildSummaryModel,
  groupDifficulties,
  type ModelFigure,
  type ModelItem,
  type ModelSection,
  type SummaryModel,
  unitsPhrase,
} from "./Model.ts"
export { chineseNumeral, phraseNumber, phraseTotal } from "./Phrasing.ts"
export { defaultHeadings, stock } from "./phrases.ts"
export { type RenderOptions, renderSummary } from "./Summary.ts"
export { type ApprovedReport, type Contribution, type FigureTotal, loadApprovedReports, loadTotals } from "./Totals.ts"
