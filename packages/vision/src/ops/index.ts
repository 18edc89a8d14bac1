// torchvision.ops: box utilities, non-maximum suppression, RoIAlign and RoIPool, the focal loss.
export {
  boxArea, boxIou, generalizedBoxIou, distanceBoxIou, completeBoxIou, boxConvert, clipBoxesToImage, removeSmallBoxes, masksToBoxes,
} from './boxes.js';
export type { BoxFormat } from './boxes.js';
export { nms, batchedNms } from './nms.js';
export { roiAlign } from './roi-align.js';
export type { RoiAlignOptions } from './roi-align.js';
export { roiPool } from './roi-pool.js';
export type { RoiBoxes } from './roi.js';
export { RoIAlign, RoIPool } from './roi-modules.js';
export { sigmoidFocalLoss } from './focal-loss.js';
export type { SigmoidFocalLossOptions } from './focal-loss.js';
