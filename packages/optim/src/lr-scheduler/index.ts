/** torch.optim.lr_scheduler: learning-rate schedules with PyTorch 1.13's formulas. */
export { LRScheduler } from './scheduler.js';
export type { SchedulerStateDict } from './scheduler.js';
export { LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR } from './basic.js';
export type { SchedulerOptions } from './basic.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { CyclicLR, OneCycleLR } from './cyclic.js';
export type { CyclicLROptions, OneCycleLROptions } from './cyclic.js';
export { ReduceLROnPlateau } from './plateau.js';
export type { ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './composite.js';
