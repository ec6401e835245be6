/** @liandong/report — the consolidated summary (活动总结) from approved reports. */

export {
  type Brief,
  type BriefItem,
  type BriefOptions,
  briefHtml,
  briefMarkdown,
  buildBrief,
  fullWidthPunctuation,
  loadBrief,
} from "./Brief.ts"
export { renderBriefDocx } from "./BriefDocx.ts"
export { renderDocx } from "./Docx.ts"
export { renderHtml } from "./Html.ts"
export { english, type Labels, type Language, type Words, wordsFor } from "./Language.ts"
export { loadLevelTotals } from "./Levels.ts"
export { renderMarkdown, shortStamp } from "./Markdown.ts"
export {
  buildSummaryModel,
  type FigureChart,
  groupDifficulties,
  itemSentence,
  type ModelFigure,
  type ModelItem,
  type ModelSection,
  plainFigure,
  type SummaryModel,
  unitsPhrase,
  withoutProcessNotes,
} from "./Model.ts"
export { defaultHeadings, stock } from "./Phrases.ts"
export { approximateFrom, chineseNumeral, fullWidth, phraseNumber, phraseTotal } from "./Phrasing.ts"
export {
  loadSummaryModel,
  type RenderOptions,
  renderSummary,
  renderSummaryModel,
  type SummaryFormat,
} from "./Summary.ts"
export { figureChartSvg, timelinessSvg } from "./Svg.ts"
export { loadTimeliness, type PhaseTimeliness } from "./Timeliness.ts"
export {
  type ApprovedReport,
  type Contribution,
  type FigureTotal,
  loadApprovals,
  loadApprovedReports,
  loadTotals,
  type Scope,
} from "./Totals.ts"
export { type ListedUnit, readUnitList } from "./UnitList.ts"
export {
  figureCell,
  renderWorkbook,
  taskStateWords,
  type WorkbookData,
  type WorkbookReport,
  type WorkbookTask,
} from "./Workbook.ts"
