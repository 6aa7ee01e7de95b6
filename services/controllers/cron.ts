// Cron schedules as Kubernetes' CronJob controller reads them (robfig/cron's standard parser):
// five fields (minute hour day-of-month month day-of-week) or one of the @-shortcuts, in an
// IANA time zone. Parsing and stepping are cron-parser's; this file only narrows its wider
// syntax (seconds fields, @secondly, hashes) to what Kubernetes accepts.
import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** The @-shortcuts robfig/cron knows, as five fields. */
const SHORTCUTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A schedule that does not parse; the message says why. */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

export interface Schedule {
  /** The five fields actually used. */
  readonly fields: string;
  /** The IANA zone times are computed in ("UTC" unless given). */
  readonly timeZone: string;
  /** The first time strictly after `ms`. */
  next(ms: number): number;
  /** The latest time at or before `ms`, or undefined if there is none in the last ~5 years. */
  latestAtOrBefore(ms: number): number | undefined;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses `schedule` in `timeZone` (spec.timeZone; absent means UTC, the controller manager's
 * zone here). As robfig/cron does, a schedule may start with "TZ=Zone " or "CRON_TZ=Zone "
 * when spec.timeZone is not set (validation rejects the two together). Throws ScheduleError.
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  let text = schedule.trim();
  let tz = timeZone || 'UTC';
  const prefix = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(text);
  if (prefix) {
    if (timeZone) throw new ScheduleError('cannot use both timeZone field and TZ or CRON_TZ in schedule');
    tz = prefix[1]!;
    text = prefix[2]!.trim();
  }
  if (!validZone(tz)) throw new ScheduleError(`unknown time zone ${tz}`);
  if (text.startsWith('@')) {
    const expanded = SHORTCUTS[text.toLowerCase()];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${text}`);
    text = expanded;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  // Letters only as month and day names: no H (hash), L, W or # extensions.
  if (/[a-z#]/i.test(text.replace(/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi, ''))) {
    throw new ScheduleError(`unsupported syntax in ${text}`);
  }
  // cron-parser wants six fields (seconds first) for exactness; second 0 is cron's meaning.
  const expr = `0 ${text}`;
  const at = (ms: number): CronExpression => {
    try {
      return CronExpressionParser.parse(expr, { currentDate: new Date(ms), tz });
    } catch (err) {
      throw new ScheduleError(err instanceof Error ? err.message : String(err));
    }
  };
  at(Date.now()); // validate now, not on first use
  return {
    fields: text,
    timeZone: tz,
    next(ms) {
      return at(ms).next().getTime();
    },
    latestAtOrBefore(ms) {
      // prev() is strictly before its start; a schedule time is a whole second, so starting
      // one second on (floored) includes `ms` itself.
      const start = Math.floor(ms / 1000) * 1000 + 1000;
      try {
        const t = at(start).prev().getTime();
        return t <= ms ? t : undefined;
      } catch {
        return undefined; // no earlier time (e.g. 30 February)
      }
    },
  };
}
