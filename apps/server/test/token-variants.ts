/** Encodings of a token's signature that decode to the same bytes: spare bits of the last character, padding, base64. */
export function nonCanonicalSignatures(token: string): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token.at(-1)!);
  // 32 bytes are 43 characters of 6 bits: the last character carries 2 bits nobody reads.
  const spare = [1, 2, 3].map((bits) => `${token.slice(0, -1)}${alphabet[last ^ bits]}`);
  return [...spare, `${token}=`, `${token}==`];
}
