/**
 * The files of a stored value, inside `{output}/value/`:
 *   value.msgpack   the structure (always present)
 *   <n>.msgpack     a large array, Map or Set: length-prefixed chunks of entries
 *   <n>.bin         raw bytes of a large typed array, Buffer or ArrayBuffer
 *   <n>.arrow       an Arrow IPC file
 * `n` counts from 1 in the order the encoder met them; a part refers only to
 * parts with a higher number, so a reader can decode from the highest down.
 */
export const VALUE_FORMAT = 'msgpack-1';
export const ROOT_PART = 'value.msgpack';

export const segmentPart = (id: number): string => `${id}.msgpack`;
export const blobPart = (id: number): string => `${id}.bin`;
export const tablePart = (id: number): string => `${id}.arrow`;

/** A part name as the encoder writes them; anything else in a manifest is refused. */
export function isPartName(name: string): boolean {
  return name === ROOT_PART || /^[1-9]\d{0,8}\.(msgpack|bin|arrow)$/.test(name);
}
