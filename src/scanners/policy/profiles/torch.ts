import type { Profile } from './types.js';

/**
 * torch.save of tensors, parameters, storages and state dicts (zip and legacy formats), as torch 1.13 emits
 * them (verified: scripts/fixtures/list_framework_globals.py) plus the rebuild functions and dtypes of
 * torch 2.x read from its source (torch/_utils.py). The storage/tensor classes, dtypes, layouts, memory
 * formats and qschemes are the installed torch's own enumeration (torch._storage_classes, dir(torch)).
 * NOT here: torch.load, torch.serialization.load, torch.storage._load_from_bytes (nested loaders),
 * torch._utils._import_dotted_name (import trampoline), torch.hub/jit/fx/_dynamo/_inductor/package …
 */
export const TORCH_TABLE = {
  // storage classes (persistent ids name them), legacy tensor types, value objects that are not callable
  // gadgets: dtypes, layouts, memory formats, qschemes; Size/device/Tensor constructors
  torch:
    'Size device Tensor ' +
    'BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage ComplexFloatStorage ' +
    'DoubleStorage FloatStorage HalfStorage IntStorage LongStorage ShortStorage QInt32Storage QInt8Storage ' +
    'QUInt2x4Storage QUInt4x2Storage QUInt8Storage ' +
    'BFloat16Tensor BoolTensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor ' +
    'LongTensor ShortTensor ' +
    'bfloat16 bool cdouble cfloat chalf complex128 complex32 complex64 double float float16 float32 float64 ' +
    'half int int16 int32 int64 int8 long short uint8 qint32 qint8 quint2x4 quint4x2 quint8 ' +
    'uint16 uint32 uint64 float8_e4m3fn float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz float8_e8m0fnu ' +
    'strided sparse_coo sparse_csr sparse_csc sparse_bsr sparse_bsc _mkldnn jagged ' +
    'contiguous_format channels_last channels_last_3d preserve_format legacy_contiguous_format ' +
    'per_tensor_affine per_channel_affine per_channel_affine_float_qparams per_tensor_symmetric ' +
    'per_channel_symmetric',
  // same classes under torch.cuda / torch.sparse (checkpoints written on GPU by old torch)
  'torch.cuda':
    'BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage ComplexFloatStorage ' +
    'DoubleStorage FloatStorage HalfStorage IntStorage LongStorage ShortStorage ' +
    'BFloat16Tensor BoolTensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor ' +
    'LongTensor ShortTensor',
  'torch.cuda.sparse':
    'BFloat16Tensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor LongTensor ShortTensor',
  'torch.sparse':
    'BFloat16Tensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor LongTensor ShortTensor',
  'torch.storage': 'TypedStorage UntypedStorage _LegacyStorage',
  // tensor rebuilders: allocate a tensor from a storage/size/stride (hooks are stored, never called)
  'torch._utils':
    '_rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_parameter _rebuild_parameter_with_state ' +
    '_rebuild_sparse_tensor _rebuild_sparse_csr_tensor _rebuild_qtensor _rebuild_meta_tensor_no_storage ' +
    '_rebuild_device_tensor_from_numpy _rebuild_device_tensor_from_cpu_tensor _rebuild_xla_tensor ' +
    '_rebuild_wrapper_subclass _rebuild_nested_tensor',
  // _rebuild_from_type_v2(func, type, args, state) calls func(*args): func is itself a global of the
  // pickle (classified on its own), so it adds nothing REDUCE could not do
  'torch._tensor': '_rebuild_from_type_v2',
  'torch.nn.parameter': 'Parameter UninitializedParameter UninitializedBuffer Buffer',
  // _get_layout(name): a lookup among torch.layout objects, emitted for every sparse tensor
  'torch.serialization': '_get_layout',
  // activation functions stored as module attributes (TransformerEncoderLayer.activation): pure tensor math
  'torch.nn.functional':
    'relu gelu silu tanh sigmoid leaky_relu elu selu celu softplus mish hardswish hardsigmoid relu6 glu ' +
    'hardtanh logsigmoid softsign tanhshrink softmax log_softmax',
} as const satisfies Readonly<Record<string, string>>;

/**
 * Layer, container, loss, optimizer and scheduler classes of torch.nn / torch.optim: whole-model pickles
 * (`torch.save(model)`) name them. Constructors store hyper-parameters; __setstate__ restores attributes.
 * Enumerated from the installed torch (nn.Module subclasses under torch.nn.modules, torch.optim classes).
 */
export const TORCH_NN_TABLE = {
  'torch.nn.modules.activation':
    'CELU ELU GELU GLU Hardshrink Hardsigmoid Hardswish Hardtanh LeakyReLU LogSigmoid LogSoftmax Mish MultiheadAttention PReLU RReLU ReLU ReLU6 SELU SiLU Sigmoid Softmax Softmax2d Softmin Softplus Softshrink Softsign Tanh Tanhshrink Threshold',
  'torch.nn.modules.adaptive': 'AdaptiveLogSoftmaxWithLoss',
  'torch.nn.modules.batchnorm':
    'BatchNorm1d BatchNorm2d BatchNorm3d LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d SyncBatchNorm',
  'torch.nn.modules.channelshuffle': 'ChannelShuffle',
  'torch.nn.modules.container': 'Container ModuleDict ModuleList ParameterDict ParameterList Sequential',
  'torch.nn.modules.conv':
    'Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d',
  'torch.nn.modules.distance': 'CosineSimilarity PairwiseDistance',
  'torch.nn.modules.dropout': 'AlphaDropout Dropout Dropout1d Dropout2d Dropout3d FeatureAlphaDropout',
  'torch.nn.modules.flatten': 'Flatten Unflatten',
  'torch.nn.modules.fold': 'Fold Unfold',
  'torch.nn.modules.instancenorm':
    'InstanceNorm1d InstanceNorm2d InstanceNorm3d LazyInstanceNorm1d LazyInstanceNorm2d LazyInstanceNorm3d',
  // NonDynamicallyQuantizableLinear: MultiheadAttention.out_proj (not exported from torch.nn)
  'torch.nn.modules.linear': 'Bilinear Identity LazyLinear Linear NonDynamicallyQuantizableLinear',
  'torch.nn.modules.loss':
    'BCELoss BCEWithLogitsLoss CTCLoss CosineEmbeddingLoss CrossEntropyLoss GaussianNLLLoss HingeEmbeddingLoss HuberLoss KLDivLoss L1Loss MSELoss MarginRankingLoss MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss NLLLoss NLLLoss2d PoissonNLLLoss SmoothL1Loss SoftMarginLoss TripletMarginLoss TripletMarginWithDistanceLoss',
  'torch.nn.modules.module': 'Module',
  'torch.nn.modules.normalization': 'CrossMapLRN2d GroupNorm LayerNorm LocalResponseNorm',
  'torch.nn.modules.padding':
    'ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d ZeroPad2d',
  'torch.nn.modules.pixelshuffle': 'PixelShuffle PixelUnshuffle',
  'torch.nn.modules.pooling':
    'AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d AvgPool1d AvgPool2d AvgPool3d FractionalMaxPool2d FractionalMaxPool3d LPPool1d LPPool2d MaxPool1d MaxPool2d MaxPool3d MaxUnpool1d MaxUnpool2d MaxUnpool3d',
  'torch.nn.modules.rnn': 'GRU GRUCell LSTM LSTMCell RNN RNNBase RNNCell RNNCellBase',
  'torch.nn.modules.sparse': 'Embedding EmbeddingBag',
  'torch.nn.modules.transformer':
    'Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder TransformerEncoderLayer',
  'torch.nn.modules.upsampling': 'Upsample UpsamplingBilinear2d UpsamplingNearest2d',
  'torch.optim.adadelta': 'Adadelta',
  'torch.optim.adagrad': 'Adagrad',
  'torch.optim.adam': 'Adam',
  'torch.optim.adamax': 'Adamax',
  'torch.optim.adamw': 'AdamW',
  'torch.optim.asgd': 'ASGD',
  'torch.optim.lbfgs': 'LBFGS',
  'torch.optim.lr_scheduler':
    'ChainedScheduler ConstantLR CosineAnnealingLR CosineAnnealingWarmRestarts CyclicLR ExponentialLR LambdaLR LinearLR MultiStepLR MultiplicativeLR OneCycleLR PolynomialLR ReduceLROnPlateau SequentialLR StepLR',
  'torch.optim.nadam': 'NAdam',
  'torch.optim.optimizer': 'Optimizer',
  'torch.optim.radam': 'RAdam',
  'torch.optim.rmsprop': 'RMSprop',
  'torch.optim.rprop': 'Rprop',
  'torch.optim.sgd': 'SGD',
  'torch.optim.sparse_adam': 'SparseAdam',
} as const satisfies Readonly<Record<string, string>>;

export const TORCH: Profile = {
  id: 'torch',
  description: 'PyTorch tensors, storages, dtypes, nn layers, optimizers and LR schedulers (torch.save)',
  table: { ...TORCH_TABLE, ...TORCH_NN_TABLE },
};
