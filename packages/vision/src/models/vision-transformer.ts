/**
 * Vision Transformer (Dosovitskiy et al., 2020) as torchvision builds it: patchify conv, class
 * token, learned position embedding, pre-norm encoder blocks (LayerNorm eps 1e-6, batch-first
 * MultiheadAttention, GELU MLP) and a linear head, with torchvision's keys and initialisation.
 */
import * as core from '@torchts/core';
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Conv2d, Dropout, GELU, LayerNorm, Linear, Module, MultiheadAttention, Parameter, Sequential, Tanh, init } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { MLP } from './layers/mlp.js';

type NormLayer = (dim: number) => Module;
const layerNorm: NormLayer = (d) => new LayerNorm(d, { eps: 1e-6 });

/** The transformer MLP: Linear, GELU, Dropout, Linear, Dropout; xavier-uniform weights, N(0, 1e-6) biases. */
export class MLPBlock extends MLP {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(inDim, [mlpDim, inDim], { activationLayer: () => new GELU(), dropout });
    for (const m of this.modules()) {
      if (!(m instanceof Linear)) continue;
      init.xavierUniform_(m.weight);
      if (m.bias) init.normal_(m.bias, 0, 1e-6);
    }
  }
}

export class EncoderBlock extends Module {
  declare numHeads: number;
  declare ln_1: Module;
  declare self_attention: MultiheadAttention;
  declare dropout: Dropout;
  declare ln_2: Module;
  declare mlp: MLPBlock;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: NormLayer = layerNorm) {
    super();
    this.numHeads = numHeads;
    this.ln_1 = normLayer(hiddenDim);
    this.self_attention = new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = new Dropout(dropout);
    this.ln_2 = normLayer(hiddenDim);
    this.mlp = new MLPBlock(hiddenDim, mlpDim, dropout);
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 3) throw new ValueError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    return tidy(() => {
      const h = callModule(this.ln_1, input);
      const [attn] = this.self_attention.call(h, h, h, { needWeights: false });
      const x = this.dropout.call(attn).add(input);
      return x.add(this.mlp.call(callModule(this.ln_2, x)) as Tensor);
    });
  }
}

export class Encoder extends Module {
  declare pos_embedding: Tensor;
  declare dropout: Dropout;
  declare layers: Sequential;
  declare ln: Module;

  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: NormLayer = layerNorm) {
    super();
    this.pos_embedding = Parameter(core.empty([1, seqLength, hiddenDim]).normal_(0, 0.02)); // from BERT
    this.dropout = new Dropout(dropout);
    const layers = new Map<string, Module>();
    for (let i = 0; i < numLayers; i++) {
      layers.set(`encoder_layer_${i}`, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer));
    }
    this.layers = new Sequential(layers);
    this.ln = normLayer(hiddenDim);
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 3) throw new ValueError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    return tidy(() => callModule(this.ln, this.layers.call(this.dropout.call(input.add(this.pos_embedding))) as Tensor));
  }
}

export interface VisionTransformerOptions {
  imageSize: number;
  patchSize: number;
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
  dropout?: number;
  attentionDropout?: number;
  numClasses?: number;
  /** A tanh "pre-logits" layer of this width before the head. */
  representationSize?: number | null;
  normLayer?: NormLayer;
}

export class VisionTransformer extends Module {
  declare imageSize: number;
  declare patchSize: number;
  declare hiddenDim: number;
  declare mlpDim: number;
  declare attentionDropout: number;
  declare dropout: number;
  declare numClasses: number;
  declare representationSize: number | null;
  declare conv_proj: Conv2d;
  declare class_token: Tensor;
  declare encoder: Encoder;
  declare seqLength: number;
  declare heads: Sequential;

  constructor(opts: VisionTransformerOptions) {
    super();
    for (const k of ['imageSize', 'patchSize', 'numLayers', 'numHeads', 'hiddenDim', 'mlpDim'] as const) checkPositiveInt(k, opts[k]);
    if (opts.imageSize % opts.patchSize !== 0) throw new ValueError('Input shape indivisible by patch size!');
    this.imageSize = opts.imageSize;
    this.patchSize = opts.patchSize;
    this.hiddenDim = opts.hiddenDim;
    this.mlpDim = opts.mlpDim;
    this.attentionDropout = opts.attentionDropout ?? 0;
    this.dropout = opts.dropout ?? 0;
    this.numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    this.representationSize = opts.representationSize ?? null;
    const normLayer = opts.normLayer ?? layerNorm;
    this.conv_proj = new Conv2d(3, opts.hiddenDim, opts.patchSize, { stride: opts.patchSize });
    this.class_token = Parameter(core.zeros([1, 1, opts.hiddenDim]));
    this.seqLength = (opts.imageSize / opts.patchSize) ** 2 + 1;
    this.encoder = new Encoder(this.seqLength, opts.numLayers, opts.numHeads, opts.hiddenDim, opts.mlpDim, this.dropout, this.attentionDropout, normLayer);
    const heads = new Map<string, Module>();
    if (this.representationSize === null) heads.set('head', new Linear(opts.hiddenDim, this.numClasses));
    else {
      heads.set('pre_logits', new Linear(opts.hiddenDim, this.representationSize));
      heads.set('act', new Tanh());
      heads.set('head', new Linear(this.representationSize, this.numClasses));
    }
    this.heads = new Sequential(heads);

    const fanIn = 3 * opts.patchSize * opts.patchSize;
    init.truncNormal_(this.conv_proj.weight, 0, Math.sqrt(1 / fanIn));
    if (this.conv_proj.bias) init.zeros_(this.conv_proj.bias);
    if (heads.has('pre_logits')) {
      const pre = heads.get('pre_logits') as Linear;
      init.truncNormal_(pre.weight, 0, Math.sqrt(1 / pre.inFeatures));
      init.zeros_(pre.bias!);
    }
    const head = heads.get('head') as Linear;
    init.zeros_(head.weight);
    init.zeros_(head.bias!);
  }

  /** [N, 3, H, W] -> [N, (H/p)*(W/p), hiddenDim] patch embeddings. */
  processInput(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ValueError(`Expected a 4-D input [N, 3, H, W], got [${x.shape.join(', ')}]`);
    const [n, , h, w] = x.shape as [number, number, number, number];
    if (h !== this.imageSize) throw new ValueError(`Wrong image height! Expected ${this.imageSize} but got ${h}!`);
    if (w !== this.imageSize) throw new ValueError(`Wrong image width! Expected ${this.imageSize} but got ${w}!`);
    const p = this.patchSize;
    return tidy(() => this.conv_proj.call(x).reshape([n, this.hiddenDim, (h / p) * (w / p)]).permute([0, 2, 1]));
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const patches = this.processInput(x);
      const n = patches.shape[0]!;
      const tokens = core.cat([this.class_token.expand([n, -1, -1]), patches], 1);
      const encoded = this.encoder.call(tokens);
      return this.heads.call(encoded.select(1, 0)) as Tensor;
    });
  }
}

/** Maps keys of checkpoints from before torchvision 0.12 (`mlp.linear_1`) to the current ones (`mlp.0`). */
export function renameLegacyVitKey(key: string): string {
  return key.replace(/\.mlp\.linear_1\./, '.mlp.0.').replace(/\.mlp\.linear_2\./, '.mlp.3.');
}

export type ViTBuilderOptions = BuilderOptions & Partial<Omit<VisionTransformerOptions, 'patchSize' | 'numLayers' | 'numHeads' | 'hiddenDim' | 'mlpDim'>>;

function vit(patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, opts: ViTBuilderOptions): VisionTransformer {
  const model = new VisionTransformer({ imageSize: 224, ...opts, patchSize, numLayers, numHeads, hiddenDim, mlpDim });
  return withWeights(model, opts.weights, renameLegacyVitKey);
}

export const vitB16 = (opts: ViTBuilderOptions = {}): VisionTransformer => vit(16, 12, 12, 768, 3072, opts);
export const vitB32 = (opts: ViTBuilderOptions = {}): VisionTransformer => vit(32, 12, 12, 768, 3072, opts);
export const vitL16 = (opts: ViTBuilderOptions = {}): VisionTransformer => vit(16, 24, 16, 1024, 4096, opts);
export const vitL32 = (opts: ViTBuilderOptions = {}): VisionTransformer => vit(32, 24, 16, 1024, 4096, opts);
export const vitH14 = (opts: ViTBuilderOptions = {}): VisionTransformer => vit(14, 32, 16, 1280, 5120, opts);
