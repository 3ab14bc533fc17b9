import { digestMatches, hexDigest, sortedNames, valueText, type DigestAlgorithm, type SignedParams } from '../../kernel/signing.ts';

/**
 * The 万店掌 (Opretail) gateway's signature: every parameter but `_sig`, empty ones included, sorted
 * by name, concatenated `name value name value…` without separators, wrapped in the secret on
 * both sides, MD5 or SHA1, uppercase hex. The gateway, the client and the demo all sign with this.
 */
export const opretail = {
  stringToSign(params: SignedParams, secret: string): string {
    let body = '';
    for (const name of sortedNames(params, '_sig')) body += name + valueText(params[name]);
    return secret + body + secret;
  },
  sign(params: SignedParams, secret: string, method: DigestAlgorithm): string {
    return hexDigest(method, opretail.stringToSign(params, secret)).toUpperCase();
  },
  verify(params: SignedParams, secret: string, method: DigestAlgorithm, signature: string): boolean {
    return digestMatches(method, opretail.stringToSign(params, secret), signature);
  },
};
