import net from 'node:net';

/**
 * What the fuzz tests share: a seeded generator (mulberry32), so a failure names its seed and
 * reproduces, and a raw-socket exchange for requests no HTTP client would send.
 */

/** Numbers in [0, 1) from `seed`, the same sequence every time. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sends raw bytes to 127.0.0.1:`port`; resolves with what came back once the server closed, answered one full reply, or `waitMs` passed. */
export function exchange(port: number, bytes: Buffer, waitMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(bytes));
    let reply = Buffer.alloc(0);
    const done = () => {
      c.destroy();
      resolve(reply.toString('utf8'));
    };
    c.on('data', (d: Buffer) => {
      reply = Buffer.concat([reply, d]);
      const text = reply.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text.slice(0, head))?.[1];
      if (head !== -1 && length !== undefined && reply.length >= head + 4 + Number(length)) done();
    });
    c.on('error', () => undefined);
    c.on('close', done);
    setTimeout(done, waitMs);
  });
}
