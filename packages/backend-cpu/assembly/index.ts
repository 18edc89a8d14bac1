// Entry point of the WebAssembly SIMD kernels (compiled by scripts/build-wasm.mjs).
// Every kernel works on raw addresses into the CPU heap's shared memory and allocates nothing.
export { relaxed } from './simd';
export { gemmF32, gemmF64, gemmWorkspaceBytes } from './gemm';
export { binaryF32, binaryF64, compareF32, compareF64, unaryF32, unaryF64, whereF32, whereF64, whereI16, whereI8 } from './elementwise';
export {
  binaryI16, binaryI32, binaryI64, binaryI8, binaryU8, compareI16, compareI32, compareI64, compareI8, compareU8,
  unaryI16, unaryI32, unaryI64, unaryI8, unaryU8,
} from './elementwise-int';
export { ternaryF32, ternaryF64 } from './elementwise-ternary';
export { maxF32, maxF64, minF32, minF64, sumChunksF32, sumChunksF64, sumF32, sumF64, sumRowsF32, sumRowsF64 } from './reduce';
export { sumColChunksF32, sumColChunksF64, sumColPartialsF32, sumColPartialsF64, sumColsF32, sumColsF64 } from './sum-cols';
export { col2imF32, col2imF64, im2colF32, im2colF64 } from './im2col';
export { softmaxF32, softmaxF64 } from './softmax';
export { avgPoolBackwardF32, avgPoolBackwardF64, avgPoolF32, avgPoolF64, maxPoolBackwardF32, maxPoolBackwardF64, maxPoolF32, maxPoolF64 } from './pool';
export { gatherF32, gatherF64, scatterF32, scatterF64 } from './gather';
export { addChannelBiasF32, addChannelBiasF64, convForwardF32, convForwardF64, convTransposeF32, convTransposeF64, convWeightGradF32, convWeightGradF64, sumPartialsF32, sumPartialsF64 } from './conv';
export { adamStepF32, adamStepF64, sgdStepF32, sgdStepF64 } from './optim';
export { columnSumsF32, columnSumsF64, planeAffineF32, planeAffineF64, planeSumsF32, planeSumsF64, rowNormalizeF32, rowNormalizeF64 } from './norm';
export { layerNormBackwardF32, layerNormBackwardF64, layerNormF32, layerNormF64 } from './layer-norm';
export { firstBadIndex, indexAddRowsF32, indexAddRowsF64, indexSelectRows } from './rows';
export { convertRowF32F64, convertRowF64F32, convertRowU8F32, copyBytes, copyRow32, copyRow64, fill32, fill64, fillBytes } from './copy';
export { softmaxBackwardF32, softmaxBackwardF64 } from './softmax-backward';
export { argmaxF32, argmaxF64, argminF32, argminF64 } from './argmax';
export { logsumexpColsF32, logsumexpColsF64, logsumexpF32, logsumexpF64, logsumexpRowsF32, logsumexpRowsF64 } from './logsumexp';
export { colMomentsF32, colMomentsF64, powerSumF32, powerSumF64, powerSumRowsF32, powerSumRowsF64 } from './moments';
export { nllBackwardF32, nllBackwardF64, nllFirstBadTarget, nllForwardF32, nllForwardF64 } from './nll';
export { extremeColsF32, extremeColsF64, extremeRowsF32, extremeRowsF64 } from './extreme';
export { accumulateColsF32, accumulateColsF64, prodF32, prodF64 } from './accumulate';
export { nanRowsF32, nanRowsF64 } from './nan-rows';
