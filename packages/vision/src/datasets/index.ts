// torchvision.datasets: the real file formats, read from disk; nothing is ever downloaded.
export { MNIST, FashionMNIST, KMNIST, EMNIST, EMNIST_SPLIT_CLASSES, readIdxPair } from './mnist.js';
export type { MNISTOptions, EMNISTOptions, EMNISTSplit } from './mnist.js';
export { CIFAR10, CIFAR100 } from './cifar.js';
export type { CIFAROptions } from './cifar.js';
export {
  DatasetFolder, ImageFolder, IMG_EXTENSIONS, findClasses, makeDataset, hasFileAllowedExtension, isImageFile, loadRgbImage,
} from './folder.js';
export type { DatasetFolderOptions, ImageFolderOptions } from './folder.js';
export { InMemoryImageDataset } from './in-memory.js';
export { parseIdx, readIdxFile } from './idx.js';
export type { IdxArray, IdxDtype } from './idx.js';
export type { VisionDatasetOptions } from './common.js';
