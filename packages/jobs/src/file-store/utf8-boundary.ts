/** How many UTF-8 continuation bytes (`10xxxxxx`) `bytes` starts with (at most 3). */
export function leadingContinuationBytes(bytes: Uint8Array): number {
  let count = 0;
  while (count < 3 && count < bytes.length && (bytes[count]! & 0xc0) === 0x80) count += 1;
  return count;
}
