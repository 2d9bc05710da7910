/** How many UTF-8 continuation bytes (`10xxxxxx`) `bytes` starts with (at most 3). */
export function leadingContinuationBytes(bytes: Uint8Array): number {
  let count = 0;
  while (count < 3 && count < bytes.length && (bytes[count]! & 0xc0) === 0x80) count += 1;
  return count;
}

/**
 * The largest length `<= limit` at which `bytes` can be cut without splitting a character.
 * When that is 0 but a whole first character fits in `bytes`, its length (so a reader with a
 * tiny `maxBytes` still moves forward).
 */
export function characterBoundary(bytes: Uint8Array, limit: number): number {
  const end = Math.min(limit, bytes.length);
  let cut = end;
  // Walk back over continuation bytes to the lead byte of the last character.
  let lead = end - 1;
  while (lead >= 0 && end - lead <= 4 && (bytes[lead]! & 0xc0) === 0x80) lead -= 1;
  if (lead >= 0) {
    const needed = sequenceLength(bytes[lead]!);
    if (lead + needed > end) cut = lead;
  }
  if (cut > 0) return cut;
  if (bytes.length === 0) return 0;
  const first = sequenceLength(bytes[0]!);
  return first <= bytes.length ? first : 0;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}
