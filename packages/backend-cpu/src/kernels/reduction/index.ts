// CPU kernels of the 'reduction' family, registered on import.
import { registerKernel } from '@torchts/core';
import {
  allKernel, anyKernel, countNonzeroKernel, meanKernel, nanmeanKernel, nansumKernel, prodKernel, sumKernel,
} from './reduce.js';
import { aminKernel, aminmaxKernel, amaxKernel, argmaxKernel, argminKernel, maxDimKernel, minDimKernel } from './minmax.js';
import { logsumexpKernel, normKernel, stdKernel, stdMeanKernel, varKernel, varMeanKernel } from './stats.js';
import { cummaxKernel, cumminKernel, cumprodKernel, cumsumKernel, logcumsumexpKernel } from './scan.js';
import { logSoftmaxBackwardKernel, logSoftmaxKernel, softmaxBackwardKernel, softmaxKernel } from './softmax.js';
import {
  kthvalueKernel, medianDimKernel, medianKernel, modeKernel, nanmedianDimKernel, nanmedianKernel, sortKernel, topkKernel,
} from './sort.js';
import { uniqueConsecutiveKernel, uniqueDimKernel, uniqueKernel } from './unique.js';

const kernels: Record<string, (...args: never[]) => unknown> = {
  sum: sumKernel,
  nansum: nansumKernel,
  mean: meanKernel,
  nanmean: nanmeanKernel,
  prod: prodKernel,
  all: allKernel,
  any: anyKernel,
  count_nonzero: countNonzeroKernel,
  max: amaxKernel,
  min: aminKernel,
  amax: amaxKernel,
  amin: aminKernel,
  'max.dim': maxDimKernel,
  'min.dim': minDimKernel,
  argmax: argmaxKernel,
  argmin: argminKernel,
  aminmax: aminmaxKernel,
  var: varKernel,
  std: stdKernel,
  var_mean: varMeanKernel,
  std_mean: stdMeanKernel,
  norm: normKernel,
  logsumexp: logsumexpKernel,
  cumsum: cumsumKernel,
  cumprod: cumprodKernel,
  cummax: cummaxKernel,
  cummin: cumminKernel,
  logcumsumexp: logcumsumexpKernel,
  softmax: softmaxKernel,
  log_softmax: logSoftmaxKernel,
  _softmax_backward_data: softmaxBackwardKernel,
  _log_softmax_backward_data: logSoftmaxBackwardKernel,
  sort: sortKernel,
  topk: topkKernel,
  kthvalue: kthvalueKernel,
  median: medianKernel,
  'median.dim': medianDimKernel,
  nanmedian: nanmedianKernel,
  'nanmedian.dim': nanmedianDimKernel,
  mode: modeKernel,
  _unique2: uniqueKernel,
  unique_dim: uniqueDimKernel,
  unique_consecutive: uniqueConsecutiveKernel,
};
for (const [name, kernel] of Object.entries(kernels)) registerKernel(name, 'cpu', kernel);
