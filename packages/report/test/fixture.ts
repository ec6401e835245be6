/** A small campaign with two approved reports, for the summary tests that need no database. */
import { normalizeCampaign } from "@liandong/workflow"

/** The definition as written. */
export const input = {
  key: "week",
  title: "甲市知识产权宣传周",
  theme: "设计未来",
  authority: "省知识产权局",
  coordinator: "city",
  units: [
    { key: "city", name: "甲市知识产权局", role: "host" },
    { key: "a", name: "一县知识产权局", role: "subordinate", parent: "city" },
    { key: "b", name: "二县知识产权局", role: "subordinate", parent: "city" },
  ],
  phases: [
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      tasks: [
        {
          key: "brochures",
          title: { zh: "派发宣传资料" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-25",
          figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份", phrasing: "approximate" }],
        },
      ],
    },
  ],
} satisfies Parameters<typeof normalizeCampaign>[0]

export const campaign = normalizeCampaign(input)

const at = new Date("2026-04-24T08:00:00Z")
export const reports = [
  {
    id: "7",
    unit: "b",
    task: "brochures",
    attempt: 1,
    submittedAt: at,
    approvedAt: at,
    approvedBy: "lead",
    narrative: { narrative: "在广场设点", difficulties: "一是资金紧缺;二是资料不足" },
    figures: { brochures: "5000" },
  },
  {
    id: "3",
    unit: "a",
    task: "brochures",
    attempt: 1,
    submittedAt: at,
    approvedAt: at,
    approvedBy: "lead",
    narrative: { narrative: "在广场设点。", difficulties: "资金紧缺。" },
    figures: { brochures: "5350" },
  },
]
export const totals = [
  {
    task: "brochures",
    figure: "brochures",
    total: "10350",
    contributions: [
      { unit: "a", report: "3", value: "5350", journal: 12 },
      { unit: "b", report: "7", value: "5000", journal: 15 },
    ],
  },
]
