import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestMatches as browserMatches, digestReady, hexDigest as browserDigest } from '../../src/console/digest.ts';
import { digestMatches, hexDigest } from '../../src/kernel/digest.ts';

/**
 * The browser's digest (hash-wasm, src/console/digest.ts, which the debugger's bundle puts in place
 * of kernel/digest.ts) gives the server's digests (node:crypto) byte for byte: ASCII, Chinese,
 * emoji, empty text, long text; and both accept a signature in either case.
 */
test('hash-wasm in the browser and node:crypto on the server digest alike', async () => {
  await digestReady();
  const texts = ['', 'abc', '万店掌 超赢 巨彩商服 微厅', 'emoji 😀 and \u0000 nul', 'x'.repeat(100_000), 'key=密钥&name=值'];
  for (const algorithm of ['md5', 'sha1'] as const) {
    for (const text of texts) {
      const server = hexDigest(algorithm, text);
      assert.equal(browserDigest(algorithm, text), server, `${algorithm} of ${text.slice(0, 20)}`);
      assert.equal(browserMatches(algorithm, text, server.toUpperCase()), true);
      assert.equal(digestMatches(algorithm, text, browserDigest(algorithm, text).toUpperCase()), true);
      assert.equal(
        browserMatches(
          algorithm,
          text,
          server.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        ),
        false,
      );
    }
  }
  // A known vector, computed independently: `printf abc | md5sum`.
  assert.equal(browserDigest('md5', 'abc'), '900150983cd24fb0d6963f7d28e17f72');
});
