import { Transform } from 'node:stream';

/** The largest JSON-RPC message read from stdin, bytes (the SDK's own read-buffer limit). */
export const maxStdioMessageBytes = 10 * 1024 * 1024;

/** A message the guard dropped. */
export interface OversizeMessage {
  /** Its size, bytes (without the line break). */
  bytes: number;
  /** The request id read from its first or last bytes, so the sender can get an error; null when unknown. */
  id: string | number | null;
}

/** Options for `createStdioLineGuard`. */
export interface StdioLineGuardOptions {
  /** Longest line passed on, bytes (default `maxStdioMessageBytes`). */
  maxLineBytes?: number;
  /** Called once per line dropped for its size. */
  onOversize(message: OversizeMessage): void;
}

const edgeBytes = 256;
const headIdPattern =
  /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/;
const tailIdPattern = /[,{]\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

function readId(head: string, tail: string): string | number | null {
  const match = headIdPattern.exec(head) ?? tailIdPattern.exec(tail);
  if (!match?.[1]) return null;
  try {
    return JSON.parse(match[1]) as string | number;
  } catch {
    return null;
  }
}

/**
 * Passes newline-delimited messages through, one line per chunk, and drops (without holding
 * it in memory) any line longer than `maxLineBytes`, reporting it. Put between stdin and the
 * stdio transport so one oversize message is refused instead of closing the connection (the
 * SDK's read buffer closes the transport past 10 MiB, which would stop the server).
 *
 * @example
 * const guard = createStdioLineGuard({ onOversize: ({ bytes }) => logger.error(`dropped ${bytes} bytes`) });
 * const transport = new StdioServerTransport(process.stdin.pipe(guard), process.stdout);
 */
export function createStdioLineGuard(options: StdioLineGuardOptions): Transform {
  const maxLineBytes = options.maxLineBytes ?? maxStdioMessageBytes;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // While dropping an oversize line: its size so far, and its first and last bytes.
  let dropping: { bytes: number; head: string; tail: Buffer } | undefined;

  const startDropping = (parts: Buffer[]): void => {
    const whole = Buffer.concat(parts);
    dropping = {
      bytes: whole.length,
      head: whole.subarray(0, edgeBytes).toString('utf8'),
      tail: whole.subarray(-edgeBytes),
    };
  };
  const keepDropping = (part: Buffer): void => {
    if (!dropping) return;
    dropping.bytes += part.length;
    dropping.tail = Buffer.concat([dropping.tail, part]).subarray(-edgeBytes);
  };
  const finishDropping = (): void => {
    if (!dropping) return;
    const { bytes, head, tail } = dropping;
    dropping = undefined;
    options.onOversize({ bytes, id: readId(head, tail.toString('utf8')) });
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let position = 0;
      while (position < chunk.length) {
        const newline = chunk.indexOf(0x0a, position);
        const end = newline === -1 ? chunk.length : newline;
        const part = chunk.subarray(position, end);
        if (dropping) keepDropping(part);
        else if (pendingBytes + part.length > maxLineBytes) {
          startDropping([...pending, part]);
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(part);
          pendingBytes += part.length;
        }
        if (newline === -1) break;
        if (dropping) finishDropping();
        else {
          pending.push(Buffer.from('\n'));
          this.push(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
        position = newline + 1;
      }
      callback();
    },
    flush(callback) {
      if (dropping) finishDropping();
      else if (pendingBytes > 0) this.push(Buffer.concat(pending));
      callback();
    },
  });
}
