/** `torch.utils`: `checkpoint` (activation checkpointing) and `data` (the @torchts/data package). */
export { checkpoint } from '@torchts/autograd';
export * as data from '@torchts/data';
