/**
 * Verifying a campaign's record without trusting the database: the hash
 * chain row by row, the signed checkpoints against the chain, and a replay of
 * every machine's events through its pinned definition that must reproduce
 * each recorded state and the stored snapshot exactly. Pure: the same code
 * checks the live database and an export on an auditor's machine. Rows are
 * fed one at a time, so the journal never has to be held whole.
 */
import {
  apply,
  type Campaign,
  type Compiled,
  campaignHash,
  campaignView,
  canonicalJson,
  compile,
  initial,
  migrateCampaignSnapshot,
  migrateUnitSnapshot,
  takesPart,
} from "@liandong/workflow"
import { Result } from "effect"
import type { AnyStateMachine } from "xstate"
import type { ReportContent, ReviewContent } from "../JournalContent.ts"
import { hashedFields, rowHash } from "../JournalHash.ts"
import { type Checkpoint, checkpointSigned } from "./Claims.ts"
import { contentCheck, differences, type SummaryDocument } from "./ContentCheck.ts"
import type { Finding, JournalRecord, KeyRecord } from "./Records.ts"

export type { Finding, JournalRecord, KeyRecord } from "./Records.ts"

/** A report as the database stores it, and its review. */
export interface StoredReport {
  readonly content: ReportContent
  readonly review: ReviewContent | null
}

/** A machine as stored: what its events must reproduce. */
export interface MachineRecord {
  readonly id: string
  readonly kind: "campaign" | "unit"
  readonly unit: string | null
  readonly definitionHash: string
  readonly snapshot: unknown
}

/** A machine as listed before its rows are read: everything but its stored snapshot. */
export type MachineHead = Omit<MachineRecord, "snapshot">

/** What verification knows before the journal passes: everything but the rows and the stored snapshots. */
export interface Premises {
  readonly campaign: string
  readonly checkpoints: ReadonlyArray<Checkpoint>
  /** the key ring: every key that signed, with its validity */
  readonly keys: ReadonlyArray<KeyRecord>
  /** keys the auditor received out of band, by key id: when given, only these are believed */
  readonly trusted?: Readonly<Record<string, string>>
  /** definitions by content hash */
  readonly definitions: Readonly<Record<string, Campaign>>
  readonly machines: ReadonlyArray<MachineHead>
  /** the journal length the campaign row claims (online only) */
  readonly claimedLength?: number
}

/** Everything verification looks at. */
export interface Evidence {
  readonly campaign: string
  readonly rows: ReadonlyArray<JournalRecord>
  readonly checkpoints: ReadonlyArray<Checkpoint>
  /** the key ring: every key that signed, with its validity */
  readonly keys: ReadonlyArray<KeyRecord>
  /** keys the auditor received out of band, by key id: when given, only these are believed */
  readonly trusted?: Readonly<Record<string, string>>
  /** the summary documents at hand, by version and format, with the hash of their bytes */
  readonly documents?: ReadonlyArray<SummaryDocument>
  /** the reports as the database stores them (online only): each is checked against the journal */
  readonly reports?: ReadonlyArray<StoredReport>
  /**
   * the reports' files at hand (an export's `files/`): each file's name — the SHA-256 it was
   * exported under — with the hash of its bytes now; absent when exported with hashes only
   */
  readonly attachmentFiles?: ReadonlyMap<string, string>
  /** definitions by content hash */
  readonly definitions: Readonly<Record<string, Campaign>>
  readonly machines: ReadonlyArray<MachineRecord>
  /** the journal length the campaign row claims (online only) */
  readonly claimedLength?: number
}

/** The outcome of a verification. */
export interface Verdict {
  readonly ok: boolean
  readonly rows: number
  readonly checkpoints: number
  readonly machines: number
  /** rows written before the journal recorded content: their reports are not checked against it */
  readonly uncovered: number
  readonly findings: ReadonlyArray<Finding>
}

/**
 * Rows that are not machine events: the deployment record, refused attempts, items given up on,
 * nudges (催办), and webhooks registered or removed.
 */
export const isMachineEvent = (row: Pick<JournalRecord, "cause" | "event">): boolean =>
  row.cause !== "deploy" &&
  row.event !== "access.denied" &&
  row.event !== "queue.dead" &&
  row.event !== "nudge" &&
  row.event !== "webhook.added" &&
  row.event !== "webhook.removed"

const hashOf = (row: JournalRecord) => {
  const { prev_hash: _prev, hash: _hash, ...fields } = row
  return rowHash(row.prev_hash, hashedFields(fields))
}

/** The chain so far: numbering, campaign, links and hashes. Stops checking at the first break. */
const chainCheck = (campaign: string) => {
  let count = 0
  let broken: Finding | undefined
  // The last two rows' links, all a break needs to name the row slipped in.
  let previous: { readonly seq: number; readonly hash: string } | undefined
  let beforePrevious: string | null = null
  const push = (row: JournalRecord) => {
    count += 1
    if (broken !== undefined) return
    const expectedSeq = count
    const at = (zh: string, en: string): Finding => ({
      seq: row.seq,
      check: "chain",
      zh: `第 ${row.seq} 行:${zh}`,
      en: `row ${row.seq}: ${en}`,
    })
    if (row.campaign_id !== campaign) {
      broken = at(`属于另一活动“${row.campaign_id}”`, `belongs to another campaign, "${row.campaign_id}"`)
    } else if (row.seq !== expectedSeq) {
      broken = {
        seq: expectedSeq,
        check: "chain",
        zh: `第 ${expectedSeq} 行缺失或次序被改动(此处为第 ${row.seq} 行)`,
        en: `row ${expectedSeq} is missing or out of order (found row ${row.seq})`,
      }
    } else if (row.prev_hash !== (previous?.hash ?? null)) {
      if (previous !== undefined && row.prev_hash === beforePrevious) {
        // This row links past the previous one: the previous row was slipped in.
        broken = {
          seq: previous.seq,
          check: "chain",
          zh: `第 ${previous.seq} 行是后来插入的(第 ${row.seq} 行仍链接到它之前的一行)`,
          en: `row ${previous.seq} was inserted (row ${row.seq} still links to the row before it)`,
        }
      } else {
        broken = at(
          "与上一行的哈希链接不符(行被插入、删除或调换)",
          "does not link to the previous row's hash (a row was inserted, deleted or moved)",
        )
      }
    } else if (hashOf(row) !== row.hash) {
      broken = at("内容与其哈希不符(行被修改)", "its content does not match its hash (the row was altered)")
    }
    if (broken !== undefined) return
    beforePrevious = previous?.hash ?? null
    previous = { seq: row.seq, hash: row.hash }
  }
  const end = (claimedLength: number | undefined): Finding[] => {
    if (broken !== undefined) return [broken]
    if (claimedLength !== undefined && claimedLength !== count) {
      return [
        {
          seq: count + 1,
          check: "chain",
          zh: `日志应有 ${claimedLength} 行,实有 ${count} 行`,
          en: `the journal should have ${claimedLength} rows but has ${count}`,
        },
      ]
    }
    return []
  }
  return { push, end, count: () => count }
}

/** A moment the campaign machine reached that must be signed: a phase change or the close. */
interface Expected {
  readonly seq: number
  readonly at: string
  readonly reason: "phase" | "close"
}

/** The public key a checkpoint must be checked with, or why there is none to believe. */
const keyFor = (premises: Premises, checkpoint: Checkpoint): { pem: string } | { zh: string; en: string } => {
  const ring = premises.keys.find((k) => k.keyId === checkpoint.keyId)
  if (premises.trusted !== undefined) {
    const pinned = premises.trusted[checkpoint.keyId]
    if (pinned === undefined)
      return {
        zh: `签名密钥 ${checkpoint.keyId} 不在审计人员信任的密钥之中`,
        en: `it is signed by key ${checkpoint.keyId}, which is not among the trusted keys`,
      }
    return { pem: pinned }
  }
  if (ring === undefined)
    return { zh: `签名密钥 ${checkpoint.keyId} 不在密钥环中`, en: `its key ${checkpoint.keyId} is not in the key ring` }
  return { pem: ring.publicKey }
}

/** True when a checkpoint signed at `signedAt` falls inside its key's validity (unknown times pass). */
const withinValidity = (premises: Premises, checkpoint: Checkpoint): boolean => {
  const ring = premises.keys.find((k) => k.keyId === checkpoint.keyId)
  if (ring === undefined || checkpoint.signedAt === undefined) return true
  const at = Date.parse(checkpoint.signedAt)
  return at >= Date.parse(ring.validFrom) && (ring.validUntil === null || at <= Date.parse(ring.validUntil))
}

/**
 * Checks every checkpoint's signature and key, that the chain passes through its head
 * (`heads`: the hash of the nth row), and that every phase change and the close the
 * journal shows was signed.
 */
const verifyCheckpoints = (
  premises: Premises,
  rows: number,
  heads: ReadonlyMap<number, string>,
  expected: ReadonlyArray<Expected>,
): Finding[] => {
  const findings: Finding[] = []
  const sorted = [...premises.checkpoints].sort((a, b) => a.seq - b.seq)
  const good: Checkpoint[] = []
  let lastGood = 0
  for (const checkpoint of sorted) {
    const label = `${checkpoint.at} (${checkpoint.reason})`
    if (checkpoint.campaign !== premises.campaign) continue
    const key = keyFor(premises, checkpoint)
    if (!("pem" in key) || !checkpointSigned(checkpoint, key.pem)) {
      findings.push({
        seq: checkpoint.seq,
        check: "checkpoint",
        zh: `检查点 ${label} 的签名无效或密钥未知${"pem" in key ? "" : `(${key.zh})`}`,
        en: `checkpoint ${label} has a bad signature or an unknown key${"pem" in key ? "" : ` (${key.en})`}`,
      })
      continue
    }
    if (!withinValidity(premises, checkpoint)) {
      findings.push({
        seq: checkpoint.seq,
        check: "checkpoint",
        zh: `检查点 ${label} 签于 ${checkpoint.signedAt},不在密钥 ${checkpoint.keyId} 的有效期内`,
        en: `checkpoint ${label} was signed at ${checkpoint.signedAt}, outside the validity of key ${checkpoint.keyId}`,
      })
      continue
    }
    const head = checkpoint.seq === 0 ? null : heads.get(checkpoint.seq)
    if (!heads.has(checkpoint.seq) && checkpoint.seq > 0) {
      findings.push({
        seq: rows + 1,
        check: "checkpoint",
        zh: `检查点 ${label} 证明日志曾有 ${checkpoint.seq} 行,现只有 ${rows} 行(行被删除或截断)`,
        en: `checkpoint ${label} shows the journal had ${checkpoint.seq} rows; it now has ${rows} (rows deleted or truncated)`,
      })
    } else if (head !== checkpoint.head) {
      findings.push({
        seq: lastGood + 1,
        check: "checkpoint",
        zh: `检查点 ${label} 与日志不符:第 ${lastGood + 1} 至 ${checkpoint.seq} 行之间的记录在签名后被改写`,
        en: `checkpoint ${label} does not match the journal: rows ${lastGood + 1} to ${checkpoint.seq} were rewritten after it was signed`,
      })
    } else {
      lastGood = checkpoint.seq
      good.push(checkpoint)
    }
  }
  // The engine signs in the transaction that changes the phase: at that event's time, at or after its row.
  for (const moment of expected) {
    const signed = good.some((c) => c.reason === moment.reason && c.at === moment.at && c.seq >= moment.seq)
    if (!signed)
      findings.push({
        seq: moment.seq,
        check: "checkpoint",
        zh: `第 ${moment.seq} 行:日志显示活动${moment.reason === "close" ? "已结束" : "进入新阶段"},却没有相应的签名检查点(检查点被删除)`,
        en: `row ${moment.seq}: the journal shows the campaign ${moment.reason === "close" ? "closed" : "changed phase"} but no checkpoint signs it (checkpoints were removed)`,
      })
  }
  return findings
}

/** One machine's replay so far: its snapshot, or the row where it broke. */
interface Replay {
  machine: AnyStateMachine
  snapshot: unknown
  /** which of the campaign's definitions (by index in its versions) the snapshot is under */
  version: number
  /** the seq of its last event */
  last: number | null
  broken: Finding | undefined
}

/**
 * Replays each machine's events through the definition it ran under; holds one snapshot per
 * machine. The campaign's versions come from the journal itself: the last deployment's
 * definition, then each `campaign.changed` event's. At such an event every machine migrates
 * to the new definition (lazily, by the same pure function the engine ran), except a unit
 * that takes part in nothing any more: it stays where it stopped.
 */
const replayCheck = (premises: Premises) => {
  const heads = new Map(premises.machines.map((m) => [m.id, m]))
  // One compiled definition per hash: units of one shape share a machine.
  const compiled = new Map<string, Compiled>()
  const machineOf = (head: MachineHead, hash: string) => {
    let found = compiled.get(hash)
    if (found === undefined) {
      found = compile(premises.definitions[hash] as Campaign)
      compiled.set(hash, found)
    }
    return head.kind === "campaign" ? found.campaignMachine() : found.unitMachine(head.unit as string)
  }
  // The definitions the campaign ran under, in order, by hash; and every one the journal named.
  let versions: string[] = []
  const named = new Map<string, number>()
  const definitionAt = (i: number) => premises.definitions[versions[i] as string]
  const replays = new Map<string, Replay>()
  const expected: Expected[] = []
  const start = (head: MachineHead): Replay | undefined => {
    if (versions.length === 0) versions = [head.definitionHash]
    const first = versions.findIndex((hash) => {
      const definition = premises.definitions[hash]
      return definition !== undefined && (head.kind === "campaign" || takesPart(definition, head.unit as string))
    })
    if (first < 0) return undefined
    const machine = machineOf(head, versions[first] as string)
    return { machine, snapshot: initial(machine).snapshot, version: first, last: null, broken: undefined }
  }
  /** Migrates a replay to the newest version it takes part in. */
  const catchUp = (head: MachineHead, replay: Replay) => {
    while (replay.version < versions.length - 1 && replay.broken === undefined) {
      const next = definitionAt(replay.version + 1)
      if (next === undefined) return
      if (head.kind === "unit" && !takesPart(next, head.unit as string)) return
      replay.snapshot =
        head.kind === "campaign"
          ? migrateCampaignSnapshot(next, replay.snapshot)
          : migrateUnitSnapshot(next, head.unit as string, replay.snapshot)
      replay.version += 1
      replay.machine = machineOf(head, versions[replay.version] as string)
    }
  }
  const push = (row: JournalRecord) => {
    const payload = row.payload as { type: string; at: string; hash?: unknown }
    if (row.cause === "deploy" && payload.type === "campaign.deployed" && typeof payload.hash === "string") {
      // A deployment before the start replaces the machines: its definition is the first.
      versions = [payload.hash]
      if (!named.has(payload.hash)) named.set(payload.hash, row.seq)
      return
    }
    if (!isMachineEvent(row)) return
    const head = heads.get(row.machine_id)
    if (head === undefined || premises.definitions[head.definitionHash] === undefined) return
    if (head.kind === "campaign" && payload.type === "campaign.changed" && typeof payload.hash === "string") {
      versions.push(payload.hash)
      if (!named.has(payload.hash)) named.set(payload.hash, row.seq)
    }
    let replay = replays.get(row.machine_id)
    const fail = (zh: string, en: string): Finding => ({
      seq: row.seq,
      check: "replay",
      zh: `第 ${row.seq} 行:${zh}`,
      en: `row ${row.seq}: ${en}`,
    })
    if (replay === undefined) {
      replay = start(head)
      if (replay === undefined) return
      replays.set(row.machine_id, replay)
    }
    replay.last = row.seq
    if (replay.broken !== undefined) return
    catchUp(head, replay)
    const definition = definitionAt(replay.version)
    if (replay.version !== versions.length - 1 || definition === undefined) {
      replay.broken = fail(
        "事件属于已退出活动的单位,或其活动定义缺失",
        "the event is for a unit that has left the campaign, or its definition is missing",
      )
      replay.snapshot = undefined
      return
    }
    const step = apply(replay.machine, replay.snapshot, payload)
    if (Result.isFailure(step)) {
      replay.broken = fail(
        `重放时事件被拒绝(${step.failure.zh})`,
        `the event is refused on replay (${step.failure.en})`,
      )
    } else if (step.success.from !== row.state_before || step.success.to !== row.state_after) {
      replay.broken = fail(
        `记录的状态 ${String(row.state_after)} 与重放结果 ${step.success.to} 不符`,
        `recorded state ${String(row.state_after)} differs from the replay's ${step.success.to}`,
      )
    } else {
      if (head.kind === "campaign") {
        // A new phase or the close must have been signed in the same transaction.
        const before = campaignView(definition, replay.snapshot)
        const after = campaignView(definition, step.success.snapshot)
        if (after.status === "closed" && before.status !== "closed")
          expected.push({ seq: row.seq, at: row.occurred_at, reason: "close" })
        else if (after.phase !== before.phase || after.status !== before.status)
          expected.push({ seq: row.seq, at: row.occurred_at, reason: "phase" })
      }
      replay.snapshot = step.success.snapshot
      return
    }
    // A broken machine's replay stops: only the finding is kept.
    replay.snapshot = undefined
  }
  /** The findings of one machine, its stored snapshot against its replay; its replay is then let go. */
  const settle = (machine: MachineRecord): Finding[] => {
    const definition = premises.definitions[machine.definitionHash]
    if (definition === undefined) {
      return [
        {
          seq: null,
          check: "replay",
          zh: `缺少状态机 ${machine.id} 的活动定义`,
          en: `the definition of machine ${machine.id} is missing`,
        },
      ]
    }
    const replay = replays.get(machine.id) ?? start(machine)
    replays.delete(machine.id)
    if (replay?.broken !== undefined) return [replay.broken]
    if (replay !== undefined) catchUp(machine, replay)
    const who = machine.unit ?? "活动"
    if (replay === undefined || versions[replay.version] !== machine.definitionHash)
      return [
        {
          seq: replay?.last ?? null,
          check: "replay",
          zh: `状态机 ${who} 记录的活动定义版本与日志所示不符`,
          en: `machine ${machine.unit ?? "campaign"} is pinned to another definition than the journal shows`,
        },
      ]
    if (canonicalJson(replay.snapshot) === canonicalJson(machine.snapshot)) return []
    return [
      {
        seq: replay.last,
        check: "replay",
        zh: `状态机 ${who} 的存储快照与其事件重放结果不符`,
        en: `the stored snapshot of machine ${machine.unit ?? "campaign"} differs from the replay of its events`,
      },
    ]
  }
  /** Each definition the journal names must be there, and be what its hash says. */
  const definitions = (): Finding[] =>
    [...named].flatMap(([hash, seq]): Finding[] => {
      const definition = premises.definitions[hash]
      if (definition === undefined)
        return [
          {
            seq,
            check: "replay",
            zh: `第 ${seq} 行记录的活动定义(${hash.slice(0, 12)}…)缺失`,
            en: `row ${seq}: the definition it records (${hash.slice(0, 12)}…) is missing`,
          },
        ]
      if (campaignHash(definition) === hash) return []
      return [
        {
          seq,
          check: "replay",
          zh: `第 ${seq} 行记录的活动定义已被改动(内容与其哈希不符)`,
          en: `row ${seq}: the definition it records was altered (its content does not match its hash)`,
        },
      ]
    })
  return { push, settle, definitions, expected: (): ReadonlyArray<Expected> => expected }
}

/** A verification fed the journal row by row, in stored order, then each machine with its stored snapshot. */
export interface JournalVerifier {
  /** Takes the next journal row. */
  readonly push: (row: JournalRecord) => void
  /** After the last row: the chain's and the checkpoints' findings. */
  readonly end: () => ReadonlyArray<Finding>
  /** After `end`: one machine's replay findings; machines in the order they are listed. */
  readonly settle: (machine: MachineRecord) => ReadonlyArray<Finding>
  /** What the journal says about reports and summaries, to check the stored ones against. */
  readonly content: ReturnType<typeof contentCheck>
  /** Rows taken so far. */
  readonly rows: () => number
}

/**
 * Starts a verification that holds, besides the premises, only each machine's
 * replayed snapshot and the heads of the rows the checkpoints name.
 */
export const journalVerifier = (premises: Premises): JournalVerifier => {
  const chain = chainCheck(premises.campaign)
  const replay = replayCheck(premises)
  const campaignMachine = premises.machines.find((m) => m.kind === "campaign")
  const content = contentCheck(
    campaignMachine === undefined ? undefined : premises.definitions[campaignMachine.definitionHash],
  )
  const wanted = new Set(premises.checkpoints.map((c) => c.seq))
  const heads = new Map<number, string>()
  return {
    push: (row) => {
      chain.push(row)
      if (wanted.has(chain.count())) heads.set(chain.count(), row.hash)
      replay.push(row)
      content.push(row)
    },
    end: () => [
      ...chain.end(premises.claimedLength),
      ...verifyCheckpoints(premises, chain.count(), heads, replay.expected()),
      ...replay.definitions(),
      ...content.findings(),
    ],
    settle: replay.settle,
    content,
    rows: chain.count,
  }
}

/** The verdict from a verification's findings, in the order chain, checkpoints, replay. */
export const verdictOf = (
  counts: { rows: number; checkpoints: number; machines: number; uncovered: number },
  findings: ReadonlyArray<Finding>,
): Verdict => ({ ok: findings.length === 0, ...counts, findings })

/**
 * Verifies the evidence of an export: chain, checkpoints, summaries recomputed from the
 * journaled reports, the summary documents at hand, then each machine's replay.
 */
export const verifyEvidence = (evidence: Evidence): Verdict => {
  const verifier = journalVerifier(evidence)
  for (const row of evidence.rows) verifier.push(row)
  const findings = [...verifier.end(), ...evidence.machines.flatMap((machine) => verifier.settle(machine))]
  if (evidence.reports !== undefined) {
    // Online evidence: the database's reports must be what the journal recorded, and all there.
    const rowAt = (seq: number) =>
      evidence.rows[seq - 1]?.seq === seq ? evidence.rows[seq - 1] : evidence.rows.find((r) => r.seq === seq)
    const recordedAt = (seq: number) => (rowAt(seq)?.content as { report?: unknown } | undefined)?.report
    for (const { content, review } of evidence.reports)
      findings.push(
        ...verifier.content.settleReport(content.id, content, review, (seq) => differences(recordedAt(seq), content)),
      )
    findings.push(...verifier.content.missingReports())
  }
  findings.push(...verifier.content.settleDocuments(evidence.documents ?? [], evidence.reports !== undefined))
  if (evidence.attachmentFiles !== undefined) findings.push(...verifier.content.settleFiles(evidence.attachmentFiles))
  return verdictOf(
    {
      rows: evidence.rows.length,
      checkpoints: evidence.checkpoints.length,
      machines: evidence.machines.length,
      uncovered: verifier.content.uncovered(),
    },
    findings,
  )
}
