import { mkdir, open, readFile, rename, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { EventLibError } from '../errors.js';

/** One line of the append-only journal (JSON lines). Offsets are implied by the order of `rec` lines. */
export type JournalLine =
  | { t: 'topic'; topic: string; partitions: number }
  | { t: 'rec'; topic: string; p: number; k: string | null; v: string; ts: number }
  | { t: 'pos'; g: string; topic: string; p: number; o: number };

/** Rewrite the journal on open when it holds more superseded position lines than this. */
const COMPACT_AFTER_STALE_POSITIONS = 10_000;

/**
 * The memory adapter's file: every topic, record and group position as a JSON line, appended in order.
 * Writes issued while one is in progress are coalesced into the next single write. A torn last line (a crash
 * mid-write) is cut off when the file is opened again.
 */
export class Journal {
  readonly #file: FileHandle;
  readonly #path: string;
  #queued: string[] = [];
  #flushing: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  private constructor(path: string, file: FileHandle) {
    this.#path = path;
    this.#file = file;
  }

  /** Opens (creating it if needed) and returns the journal with the lines it already holds. */
  static async open(path: string, log: Logger): Promise<{ journal: Journal; lines: JournalLine[] }> {
    let content = '';
    try {
      await mkdir(dirname(path), { recursive: true });
      content = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      });
      const end = content.lastIndexOf('\n') + 1;
      if (end < content.length) {
        log.warn({ path, dropped: content.length - end }, 'journal ends with a torn line; cutting it off');
        content = content.slice(0, end);
        await truncate(path, Buffer.byteLength(content));
      }
    } catch (err) {
      throw new EventLibError('EVT_ERR_STORE', `cannot read the event journal ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const lines: JournalLine[] = [];
    for (const text of content.split('\n')) {
      if (text === '') continue;
      try {
        lines.push(JSON.parse(text) as JournalLine);
      } catch {
        log.warn({ path }, 'skipping an unreadable journal line');
      }
    }
    const compacted = compact(lines);
    if (compacted.length + COMPACT_AFTER_STALE_POSITIONS < lines.length) {
      const tmp = `${path}.compact`;
      await writeFile(tmp, compacted.map((l) => JSON.stringify(l) + '\n').join(''));
      await rename(tmp, path);
      log.info({ path, before: lines.length, after: compacted.length }, 'journal compacted');
    }
    try {
      return { journal: new Journal(path, await open(path, 'a')), lines: compacted };
    } catch (err) {
      throw new EventLibError('EVT_ERR_STORE', `cannot open the event journal ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Resolves once `lines` are written to the file (in the order of calls). */
  append(lines: readonly JournalLine[]): Promise<void> {
    for (const line of lines) this.#queued.push(JSON.stringify(line) + '\n');
    if (!this.#flushing) {
      this.#flushing = this.#write();
      return this.#flushing;
    }
    // Coalesce: everything queued while a write runs goes out in the next one.
    this.#next ??= this.#flushing
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        this.#flushing = this.#write();
        return this.#flushing;
      });
    return this.#next;
  }

  async close(): Promise<void> {
    while (this.#flushing || this.#next) await (this.#next ?? this.#flushing)?.catch(() => undefined);
    await this.#file.close();
  }

  async #write(): Promise<void> {
    const text = this.#queued.join('');
    this.#queued = [];
    try {
      await this.#file.write(text);
    } catch (err) {
      throw new EventLibError(
        'EVT_ERR_STORE',
        `cannot write the event journal ${this.#path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    } finally {
      if (!this.#next) this.#flushing = undefined;
    }
  }
}

/** Keeps topics and records, and only the last position per group-partition. */
function compact(lines: readonly JournalLine[]): JournalLine[] {
  const lastPosition = new Map<string, number>();
  lines.forEach((line, index) => {
    if (line.t === 'pos') lastPosition.set(`${line.g}\u0000${line.topic}\u0000${line.p}`, index);
  });
  return lines.filter(
    (line, index) => line.t !== 'pos' || lastPosition.get(`${line.g}\u0000${line.topic}\u0000${line.p}`) === index,
  );
}
