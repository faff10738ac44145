// One line per event on stdout, which journald collects under systemd:
//   2026-11-28T10:00:00.000Z info  http  request failed status=500 request_id=3f2a…
// Privacy: the log never holds personal data, tokens or SDP. Callers pass only technical
// fields; as a second line of defence any field whose name suggests a secret or a person is
// replaced by "[redacted]" whatever its value.
import type { LogLevel } from './config.js';

export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export type Logger = {
  debug(category: string, message: string, fields?: LogFields): void;
  info(category: string, message: string, fields?: LogFields): void;
  warn(category: string, message: string, fields?: LogFields): void;
  error(category: string, message: string, fields?: LogFields): void;
};

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names that must never carry their value into a log line. */
/** Member and guest ids are pseudonymous personal data too: requests and connections have their own ids. */
const REDACTED_FIELD = /pass|secret|token|cookie|session|email|e_mail|mail|name|sdp|candidate|ip|address|phone|body|member|user|guest|caller|callee/i;

/** Field names that look sensitive but are known to be technical. */
const ALLOWED_FIELDS = new Set(['request_id', 'status', 'method', 'route', 'duration_ms', 'code', 'signal', 'port', 'path', 'version']);

export function createLogger(options: { level: LogLevel; write?: (line: string) => void; now?: () => Date }): Logger {
  const minimum = LEVEL_RANK[options.level];
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel) => (category: string, message: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < minimum) return;
    write(formatLine(now(), level, category, message, fields));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function formatLine(time: Date, level: LogLevel, category: string, message: string, fields?: LogFields): string {
  let line = `${time.toISOString()} ${level.padEnd(5)} ${category} ${oneLine(message)}`;
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    const shown = REDACTED_FIELD.test(key) && !ALLOWED_FIELDS.has(key) ? '[redacted]' : value;
    line += ` ${key}=${quote(String(shown))}`;
  }
  return line;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function quote(text: string): string {
  const flat = oneLine(text);
  return /^[^\s"=]+$/.test(flat) ? flat : JSON.stringify(flat);
}
