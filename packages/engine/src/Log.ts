/**
 * Structured logging on pino. Identity goes in fields (campaign, unit, item),
 * never pasted into messages. LOG_LEVEL sets the level.
 */
import { Context, Layer } from "effect"
import { type Logger, pino } from "pino"

/** The process's logger. */
export class Log extends Context.Service<Log, Logger>()("@liandong/engine/Log") {
  /** A pino logger writing JSON lines to stderr at LOG_LEVEL (default `info`). */
  static readonly fromEnv = (defaultLevel = "info") =>
    Layer.sync(Log)(() =>
      pino({ level: process.env.LOG_LEVEL ?? defaultLevel, base: { app: "liandong" } }, pino.destination(2)),
    )

  /** A logger for a given pino instance (tests, pretty output). */
  static readonly of_ = (logger: Logger) => Layer.succeed(Log)(logger)
}
