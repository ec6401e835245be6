/**
 * The stock phrases of an official summary. Headings and sentences that are
 * not data live here, not in the rendering code; a campaign's own `heading`
 * for a phase takes precedence.
 */

/** Default section headings for the standard phases (a four-character pair, then what the section covers). */
export const defaultHeadings: Readonly<Record<string, string>> = {
  preparation: "高度重视、精心组织,抓好活动准备工作",
  publicity: "措施得力、重点突出,创知识产权宣传工作新局面",
  enforcement: "开展专项执法行动,维护市场公平竞争秩序",
  summary: "认真总结、巩固成效",
}

/** The fixed parts of the summary. */
export const stock = {
  titleSuffix: "活动总结",
  openingResult: "营造了良好的社会氛围,取得了较好的效果。现将活动情况总结如下:",
  difficultiesHeading: "存在的困难和问题",
  difficultiesLead: "活动虽然取得了一定成效,但还存在一些困难和问题:",
  noDifficulties: "各单位报送中未反映突出的困难和问题。",
  nextStepsHeading: "下一步工作打算",
  nextSteps:
    "下一步,我们将认真总结本次活动的经验和不足,针对各单位反映的困难和问题,加强部门协调联动,丰富宣传资料和形式,争取更多经费支持,推动宣传活动进企业、进社区、进学校,进一步扩大覆盖面和影响力。",
  closing:
    "知识产权工作不是一朝一夕、一蹴而就的工作。我们将动员全社会的力量,将知识产权融入到人民群众生活中去、融入到企业生产经营中去,常抓不懈、持之以恒。",
  draftNotice: "草稿:活动尚未结束,数据以最终审核通过的报送为准。/ DRAFT: the campaign is still running.",
  appendixTotals: "附表一 数据汇总(精确值)",
  appendixUnits: "附表二 各单位报送情况",
  ordinals: ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"],
} as const
