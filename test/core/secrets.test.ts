import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { SecretBox, constantTimeEqual, sha256Hex } from '../../src/kernel/secrets.ts';

test('sha256Hex matches independently computed digests', () => {
  // python3 -c 'import hashlib;print(hashlib.sha256("abc".encode()).hexdigest())'
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  // python3 -c 'import hashlib;print(hashlib.sha256("一次性验证码 123456".encode()).hexdigest())'
  assert.equal(sha256Hex('一次性验证码 123456'), '49dbe8cb7429bd0393d2ccc2a418726049c8528acc200a70c04a0b97f27f5ec0');
});

test('constantTimeEqual: equal, different, different lengths, case option, non-ASCII', () => {
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(constantTimeEqual('abc', 'ABC'), false);
  assert.equal(constantTimeEqual('abc', 'ABC', true), true);
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual('', 'a'), false);
  assert.equal(constantTimeEqual('密钥', '密钥'), true);
  assert.equal(constantTimeEqual('密钥', '密匙'), false);
});

test('SecretBox: round trip (ASCII, Chinese, empty), fresh IV each time, v1 format', () => {
  const box = new SecretBox(randomBytes(32));
  for (const plain of ['applicationSecret-0123456789abcdef', '万店掌密钥🔑', '']) {
    const sealed = box.seal(plain);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
    assert.ok(!sealed.includes(plain) || plain === '');
    assert.equal(box.open(sealed), plain);
  }
  assert.notEqual(box.seal('same'), box.seal('same'));
});

test('SecretBox output is plain AES-256-GCM: decrypts with node:crypto directly', () => {
  const key = randomBytes(32);
  const sealed = new SecretBox(key).seal('hello 世界');
  const [, iv, tag, ct] = sealed.split('.') as [string, string, string, string];
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  assert.equal(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8'), 'hello 世界');
});

test('SecretBox refuses a wrong key, a tampered ciphertext or tag, and malformed input', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const sealed = box.seal('top secret value');
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed));
  const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string];
  const flip = (s: string) => {
    const b = Buffer.from(s, 'base64url');
    b[0] = b[0]! ^ 1;
    return b.toString('base64url');
  };
  assert.throws(() => box.open([v, iv, tag, flip(ct)].join('.')));
  assert.throws(() => box.open([v, iv, flip(tag), ct].join('.')));
  assert.throws(() => box.open([v, flip(iv), tag, ct].join('.')));
  assert.throws(() => box.open(['v2', iv, tag, ct].join('.')), /not a sealed secret/);
  assert.throws(() => box.open('top secret value'), /not a sealed secret/);
  assert.throws(() => box.open([v, iv, tag].join('.')), /not a sealed secret/);
  assert.throws(() => new SecretBox(randomBytes(16)), /32 bytes/);
  assert.throws(() => new SecretBox(Buffer.alloc(0)), /32 bytes/);
});
