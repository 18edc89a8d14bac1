/** torchvision.io.ImageReadMode: how decoded images are converted (names as torchvision's enum members). */
export const ImageReadMode = {
  /** The image's own channels: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGB + alpha). */
  UNCHANGED: 'UNCHANGED',
  GRAY: 'GRAY',
  GRAY_ALPHA: 'GRAY_ALPHA',
  RGB: 'RGB',
  RGB_ALPHA: 'RGB_ALPHA',
} as const;

export type ImageReadMode = (typeof ImageReadMode)[keyof typeof ImageReadMode];

export interface ReadModeOptions {
  mode?: ImageReadMode;
}

const MODES = Object.values(ImageReadMode) as string[];

/** The mode of `opts`, validated (default UNCHANGED). */
export function readMode(opts: ReadModeOptions | undefined, op: string): ImageReadMode {
  const mode = opts?.mode ?? 'UNCHANGED';
  if (!MODES.includes(mode)) throw new TypeError(`${op}(): unknown mode '${String(mode)}'; expected one of ${MODES.join(', ')}`);
  return mode;
}
