/** The 2x3 matrices of affine / rotate (torchvision's _get_inverse_affine_matrix) and expand's output size. */

/**
 * The inverse of M = T * C * R * S * SHy * SHx * C^-1 (rotation `angle`, `scale`, shears in
 * degrees, translation, centre), flattened row-major as [a, b, c, d, e, f]: the map from output
 * pixels back to input pixels, which is what grid sampling needs. `inverted: false` gives M.
 */
export function inverseAffineMatrix(
  center: readonly number[], angle: number, translate: readonly number[], scale: number, shear: readonly number[], inverted = true,
): number[] {
  const rad = Math.PI / 180;
  const rot = angle * rad;
  const sx = shear[0]! * rad;
  const sy = shear[1]! * rad;
  const [cx, cy] = center as [number, number];
  const [tx, ty] = translate as [number, number];
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  if (inverted) {
    const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
    m[2]! += m[0]! * (-cx - tx) + m[1]! * (-cy - ty);
    m[5]! += m[3]! * (-cx - tx) + m[4]! * (-cy - ty);
    m[2]! += cx;
    m[5]! += cy;
    return m;
  }
  const m = [a, b, 0, c, d, 0].map((v) => v * scale);
  m[2]! += m[0]! * -cx + m[1]! * -cy;
  m[5]! += m[3]! * -cx + m[4]! * -cy;
  m[2]! += cx + tx;
  m[5]! += cy + ty;
  return m;
}

/** [w, h] of the canvas holding the whole image transformed by `matrix` about its centre (rotate's expand). */
export function affineOutputSize(matrix: readonly number[], w: number, h: number): [number, number] {
  const pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const f = Math.fround;
  const xs = pts.map(([x, y]) => f(f(matrix[0]! * x! + matrix[1]! * y!) + matrix[2]!));
  const ys = pts.map(([x, y]) => f(f(matrix[3]! * x! + matrix[4]! * y!) + matrix[5]!));
  // Truncate to 1e-4 first, so a rounding error of 1e-15 does not add a whole pixel.
  const tol = 1e-4;
  const size = (vs: number[], half: number): number =>
    Math.ceil(Math.trunc((Math.max(...vs) + half) / tol) * tol) - Math.floor(Math.trunc((Math.min(...vs) + half) / tol) * tol);
  return [size(xs, w * 0.5), size(ys, h * 0.5)];
}
