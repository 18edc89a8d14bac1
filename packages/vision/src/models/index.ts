/**
 * torchvision's classification architectures with torchvision's state-dict keys and
 * initialisation: `torch.manualSeed(s); resnet18()` draws the same weights as
 * `torch.manual_seed(s); torchvision.models.resnet18()`. Builders take `{ numClasses, weights }`
 * plus each architecture's options; `weights` is a state dict, checkpoint bytes or a file path.
 */
export { makeDivisible, loadWeights } from './common.js';
export type { BuilderOptions, Weights } from './common.js';
export { Conv2dNormActivation } from './layers/conv-norm-activation.js';
export type { Conv2dNormActivationOptions, NormLayer, ActivationLayer } from './layers/conv-norm-activation.js';
export { SqueezeExcitation } from './layers/squeeze-excitation.js';
export type { SqueezeExcitationOptions } from './layers/squeeze-excitation.js';
export { StochasticDepth, stochasticDepth } from './layers/stochastic-depth.js';
export type { StochasticDepthMode } from './layers/stochastic-depth.js';
export { MLP } from './layers/mlp.js';
export type { MLPOptions } from './layers/mlp.js';
export { LeNet5, lenet5 } from './lenet.js';
export { AlexNet, alexnet } from './alexnet.js';
export type { AlexNetOptions } from './alexnet.js';
export { VGG, VGG_CONFIGS, makeVggLayers, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn } from './vgg.js';
export type { VGGOptions, VGGConfig } from './vgg.js';
export {
  ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152,
  resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wideResnet50_2, wideResnet101_2,
} from './resnet.js';
export type { ResNetOptions, ResNetBlock, BlockOptions } from './resnet.js';
export { MobileNetV2, InvertedResidual, mobilenetV2 } from './mobilenetv2.js';
export type { MobileNetV2Options, InvertedResidualSetting } from './mobilenetv2.js';
export {
  MobileNetV3, InvertedResidual as MobileNetV3InvertedResidual, invertedResidualConfig, mobilenetV3Conf, mobilenetV3Large, mobilenetV3Small,
} from './mobilenetv3.js';
export type { InvertedResidualConfig, MobileNetV3Options, MobileNetV3ConfOptions } from './mobilenetv3.js';
export {
  EfficientNet, MBConv, FusedMBConv, mbConvConfig, fusedMBConvConfig, efficientnetConf,
  efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3, efficientnetB4, efficientnetB5, efficientnetB6, efficientnetB7,
  efficientnetV2S, efficientnetV2M, efficientnetV2L,
} from './efficientnet.js';
export type { EfficientNetOptions, MBConvConfig } from './efficientnet.js';
export { VisionTransformer, Encoder, EncoderBlock, MLPBlock, renameLegacyVitKey, vitB16, vitB32, vitL16, vitL32, vitH14 } from './vision-transformer.js';
export type { VisionTransformerOptions, ViTBuilderOptions } from './vision-transformer.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
export type { SqueezeNetOptions, SqueezeNetVersion } from './squeezenet.js';
export { ShuffleNetV2, ShuffleUnit, channelShuffle, shufflenetV2X0_5, shufflenetV2X1_0, shufflenetV2X1_5, shufflenetV2X2_0 } from './shufflenetv2.js';
export type { ShuffleNetV2Options } from './shufflenetv2.js';
export { DenseNet, DenseBlock, DenseLayer, Transition, renameLegacyDenseNetKey, densenet121, densenet161, densenet169, densenet201 } from './densenet.js';
export type { DenseNetOptions } from './densenet.js';
export { ConvNeXt, CNBlock, LayerNorm2d, convnextTiny, convnextSmall, convnextBase, convnextLarge } from './convnext.js';
export type { CNBlockConfig, ConvNeXtOptions } from './convnext.js';
export { Permute } from './layers/permute.js';
export { MNASNet, MNASNetInvertedResidual, mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3 } from './mnasnet.js';
export type { MNASNetOptions } from './mnasnet.js';
export { GoogLeNet, Inception, InceptionAux, BasicConv2d, googlenet } from './googlenet.js';
export type { GoogLeNetOptions, GoogLeNetOutputs } from './googlenet.js';
export {
  RegNet, AnyStage, ResBottleneckBlock, BottleneckTransform, SimpleStemIN, blockParamsFromInitParams, REGNET_CONFIGS,
  regnetY400mf, regnetY800mf, regnetY1_6gf, regnetY3_2gf, regnetY8gf, regnetY16gf, regnetY32gf, regnetY128gf,
  regnetX400mf, regnetX800mf, regnetX1_6gf, regnetX3_2gf, regnetX8gf, regnetX16gf, regnetX32gf,
} from './regnet.js';
export type { BlockParams, RegNetInitParams, RegNetOptions } from './regnet.js';
export {
  SwinTransformer, SwinTransformerBlock, SwinTransformerBlockV2, ShiftedWindowAttention, ShiftedWindowAttentionV2, PatchMerging, PatchMergingV2,
  shiftedWindowAttention, swinT, swinS, swinB, swinV2T, swinV2S, swinV2B,
} from './swin-transformer.js';
export type { SwinTransformerOptions, ShiftedWindowAttentionOptions } from './swin-transformer.js';
