import { write, writeSync } from 'node:fs';

/**
 * A write goes out once this much is buffered (or at the next timer tick when quiet): each write is
 * a hand-off to libuv's thread pool and back (~40 µs of the request thread's time under load), so
 * under load ~140 access lines share one instead of ~17 at 4 KiB. What a crash can lose is bounded
 * by the timer (`flushEveryMs`), not by this.
 */
const MIN_WRITE_BYTES = 32 * 1024;

/** Sleeps the thread (only at exit, where no event loop is left to wait on). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Where the server's log lines go (stdout by default): buffered and written asynchronously — out
 * `minLength` bytes at a time, or every `flushEveryMs` when quiet — so under load many lines
 * share one write. Unlike pino's own destination (sonic-boom), a reader that goes away never
 * holds the process: on EPIPE (a parent that exited, `| head`, a log shipper that died) logging
 * stops and everything else carries on; at exit what is left is written once, retried for at most
 * `exitFlushMs` when the pipe is full (EAGAIN), then dropped. sonic-boom's synchronous flush at
 * exit retried a broken pipe forever, so a stop with a closed stdout never ended. A reader that
 * falls behind costs memory only up to `maxBuffered` bytes; lines past that are dropped and
 * counted, and the count is written when the reader catches up.
 */
export class LogDestination {
  private buffered: string[] = [];
  private bufferedBytes = 0;
  /** What a partial write left of the chunk being written. */
  private rest: Buffer | undefined;
  private writing = false;
  private broken = false;
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd = 1,
    private readonly options: { minLength?: number; flushEveryMs?: number; maxBuffered?: number; exitFlushMs?: number } = {},
  ) {
    this.timer = setInterval(() => this.flush(), options.flushEveryMs ?? 250);
    this.timer.unref();
    process.once('exit', () => this.flushSync());
  }

  /** True once the reader is gone: nothing more is written. */
  get closed(): boolean {
    return this.broken;
  }

  write(line: string): boolean {
    if (this.broken) return true;
    if (this.bufferedBytes + line.length > (this.options.maxBuffered ?? 16 * 1024 * 1024)) {
      this.dropped++;
      return true;
    }
    this.buffered.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= (this.options.minLength ?? MIN_WRITE_BYTES)) this.flush();
    return true;
  }

  /** Starts writing what is buffered, unless a write is under way. */
  flush(): void {
    if (this.writing || this.broken) return;
    const chunk = this.take();
    if (!chunk) return;
    this.writing = true;
    write(this.fd, chunk, 0, chunk.length, null, (err, n) => {
      this.writing = false;
      if (err) {
        if (err.code === 'EAGAIN') {
          this.rest = chunk;
          this.retry ??= setTimeout(() => {
            this.retry = undefined;
            this.flush();
          }, 10).unref();
          return;
        }
        this.breakOff();
        return;
      }
      if (n < chunk.length) this.rest = chunk.subarray(n);
      if (this.rest || this.bufferedBytes >= (this.options.minLength ?? MIN_WRITE_BYTES)) this.flush();
    });
  }

  /** Writes what is left, synchronously, for at most `exitFlushMs`; for the process's exit. */
  flushSync(): void {
    if (this.broken) return;
    let chunk = this.take();
    const deadline = Date.now() + (this.options.exitFlushMs ?? 500);
    while (chunk && chunk.length > 0) {
      try {
        chunk = chunk.subarray(writeSync(this.fd, chunk));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) {
          this.breakOff();
          return;
        }
        sleepSync(5);
      }
    }
  }

  /** The partial chunk first, then every buffered line (and the count of dropped ones) as one buffer. */
  private take(): Buffer | undefined {
    if (this.dropped > 0 && !this.rest) {
      this.buffered.push(
        `${JSON.stringify({ level: 40, time: Date.now(), msg: `${this.dropped} log lines were dropped: the log's reader fell behind` })}\n`,
      );
      this.dropped = 0;
    }
    if (this.buffered.length === 0) {
      const rest = this.rest;
      this.rest = undefined;
      return rest;
    }
    const text = Buffer.from(this.buffered.join(''), 'utf8');
    this.buffered = [];
    this.bufferedBytes = 0;
    const rest = this.rest;
    this.rest = undefined;
    return rest ? Buffer.concat([rest, text]) : text;
  }

  private breakOff(): void {
    this.broken = true;
    this.buffered = [];
    this.bufferedBytes = 0;
    this.rest = undefined;
    clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
  }
}

let stdout: LogDestination | undefined;

/** The one destination of the process's stdout (every logger of the process shares it). */
export function stdoutDestination(): LogDestination {
  stdout ??= new LogDestination(1);
  return stdout;
}
