/**
 * The pixel size of an image item from a prediction's metadata (`image_width`, `image_height`),
 * carried on the annotation request for box checks and COCO/YOLO exports. A value that is not a
 * positive whole number (in pixels, at most 2^31) counts as unknown: 0.
 */
export function imageSizeOf(metadata: Record<string, string>): { imageWidth: number; imageHeight: number } {
  return { imageWidth: pixels(metadata.image_width), imageHeight: pixels(metadata.image_height) };
}

function pixels(v: string | undefined): number {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return 0;
  const n = Number(v);
  return n > 0 && n <= 2 ** 31 ? n : 0;
}
