/**
 * A second, different campaign, modelled on seed document 004: a district's
 * “4·26世界知识产权日暨绿书签行动”, co-organised by three district bureaus and
 * carried out by a retail association. Other units, three custom phases
 * (策划 → 现场活动 → 总结), a quorum gate and other figures: it runs through the
 * same engine and CLI with no code of its own.
 */
import { defineCampaign } from "@liandong/workflow"
import { acks, approvals, type CampaignScript } from "./Script.ts"

/** The campaign definition. */
export const greenBookmark = defineCampaign({
  key: "green-bookmark-2026",
  title: "__区2026年“4·26世界知识产权日”暨“绿书签行动”宣传",
  theme: "迎接精彩大运,保护知识产权",
  authority: "市“扫黄打非办”",
  coordinator: "culture-sports",
  units: [
    { key: "culture-sports", name: "区文化体育局", role: "host", level: "county" },
    { key: "science-innovation", name: "区科技创新局", role: "co-organiser", parent: "culture-sports" },
    { key: "district-education", name: "区教育局", role: "co-organiser", parent: "culture-sports" },
    { key: "av-retail-association", name: "区音像制品零售行业协会", role: "implementer", parent: "culture-sports" },
    { key: "culture-enforcement", name: "区文化市场行政执法大队", role: "member", parent: "culture-sports" },
  ],
  phases: [
    {
      key: "plan",
      name: { zh: "策划", en: "Planning" },
      heading: "分工明确、组织有序",
      opensAt: "2026-04-01",
      closesAt: "2026-04-20",
      gate: { quorum: 0.75 },
      tasks: [
        {
          key: "quiz",
          title: { zh: "开展“保护知识产权”知识竞赛", en: "IP knowledge quiz" },
          assign: { units: ["culture-sports"] },
          deadline: "2026-04-18",
          figures: [
            { key: "quiz-units", label: { zh: "参赛文化企业及机关单位", en: "units taking part" }, measure: "家" },
            { key: "quiz-papers", label: { zh: "收回试卷", en: "papers returned" }, measure: "份" },
          ],
        },
        {
          key: "materials",
          title: { zh: "制作绿书签、宣传T恤、图片展和海报", en: "Make materials" },
          assign: { roles: ["implementer", "co-organiser"] },
          deadline: "2026-04-18",
          reminders: ["P2D"],
          figures: [
            {
              key: "bookmarks",
              label: { zh: "制作绿书签", en: "green bookmarks" },
              measure: "枚",
              phrasing: "approximate",
            },
            { key: "volunteers", label: { zh: "培训宣传志愿者", en: "volunteers trained" }, measure: "名" },
          ],
        },
      ],
    },
    {
      key: "event",
      name: { zh: "现场活动", en: "Event day" },
      heading: "形式多样、亮点纷呈",
      opensAt: "2026-04-21",
      closesAt: "2026-04-27",
      gate: "all",
      tasks: [
        {
          key: "event-day",
          title: { zh: "4月26日现场宣传活动", en: "Event on 26 April" },
          assign: { everyone: true },
          deadline: "2026-04-27T12:00",
          figures: [
            { key: "winners", label: { zh: "表彰竞赛优胜者", en: "winners honoured" }, measure: "名" },
            { key: "leaflets", label: { zh: "发放宣传资料", en: "leaflets" }, measure: "份", phrasing: "approximate" },
          ],
        },
      ],
    },
    {
      key: "wrap-up",
      name: { zh: "总结", en: "Wrap-up" },
      opensAt: "2026-04-28",
      closesAt: "2026-05-06",
      gate: "date",
      tasks: [
        {
          key: "lessons",
          title: { zh: "报送活动总结", en: "Lessons learnt" },
          assign: { roles: ["co-organiser", "implementer", "member"] },
          deadline: "2026-05-05",
          narrative: [
            { key: "narrative", label: { zh: "工作情况", en: "What was done" }, required: true },
            { key: "difficulties", label: { zh: "困难和问题", en: "Difficulties" } },
          ],
        },
      ],
    },
  ],
})

const everyone = [
  "culture-sports",
  "science-innovation",
  "district-education",
  "av-retail-association",
  "culture-enforcement",
]
const makers = ["science-innovation", "district-education", "av-retail-association"]
const others = everyone.slice(1)

/** Its script: 区教育局 never reports its materials, and the quorum closes the planning phase anyway. */
export const greenBookmarkScript: CampaignScript = {
  startAt: "2026-03-30T09:00+08:00",
  endAt: "2026-05-07T09:00+08:00",
  steps: [
    { at: "2026-04-01T09:00+08:00", actions: [...acks("quiz", ["culture-sports"]), ...acks("materials", makers)] },
    {
      at: "2026-04-15T16:00+08:00",
      actions: [
        {
          kind: "report",
          unit: "culture-sports",
          task: "quiz",
          narrative: { narrative: "4月初在全区机关、网吧、音像、书报刊零售企业中开展知识竞赛" },
          figures: { "quiz-units": "95", "quiz-papers": "914" },
        },
        {
          kind: "report",
          unit: "av-retail-association",
          task: "materials",
          narrative: { narrative: "制作绿书签、宣传T恤、图片展、拒绝盗版签名板和海报" },
          figures: { bookmarks: "3200", volunteers: "0" },
        },
        {
          kind: "report",
          unit: "science-innovation",
          task: "materials",
          narrative: { narrative: "负责保护知识产权宣传志愿队的培训及宣传资料的编排" },
          figures: { bookmarks: "0", volunteers: "40" },
        },
      ],
    },
    {
      at: "2026-04-16T10:00+08:00",
      actions: [
        ...approvals("quiz", ["culture-sports"]),
        ...approvals("materials", ["av-retail-association", "science-innovation"]),
      ],
    },
    { at: "2026-04-21T09:00+08:00", actions: acks("event-day", everyone) },
    {
      at: "2026-04-26T18:00+08:00",
      actions: everyone.map((unit) => ({
        kind: "report" as const,
        unit,
        task: "event-day",
        narrative: { narrative: "参加4月26日现场宣传活动" },
        figures: {
          winners: unit === "culture-sports" ? "37" : "0",
          leaflets: unit === "culture-enforcement" ? "1200" : "300",
        },
      })),
    },
    { at: "2026-04-27T09:00+08:00", actions: approvals("event-day", everyone) },
    { at: "2026-04-28T09:00+08:00", actions: acks("lessons", others) },
    {
      at: "2026-05-04T16:00+08:00",
      actions: others.map((unit) => ({
        kind: "report" as const,
        unit,
        task: "lessons",
        narrative: { narrative: "完成了分工任务", difficulties: "资金紧缺,宣传形式有限" },
      })),
    },
    { at: "2026-05-05T09:00+08:00", actions: approvals("lessons", others) },
  ],
}
