/** torchvision.transforms.InterpolationMode: the resampling filters the tensor transforms support. */
export const InterpolationMode = {
  NEAREST: 'nearest',
  NEAREST_EXACT: 'nearest-exact',
  BILINEAR: 'bilinear',
  BICUBIC: 'bicubic',
} as const;

export type InterpolationMode = (typeof InterpolationMode)[keyof typeof InterpolationMode];

const ALL = Object.values(InterpolationMode) as string[];

/** Validates an interpolation mode against those an op supports. */
export function checkInterpolation(mode: string, op: string, allowed: readonly string[] = ALL): InterpolationMode {
  if (!allowed.includes(mode)) {
    throw new TypeError(`${op}(): interpolation '${mode}' is not supported; expected one of ${allowed.join(', ')}`);
  }
  return mode as InterpolationMode;
}
