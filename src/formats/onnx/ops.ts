/**
 * Operators of the standard ONNX domains. Built from the operator schemas of onnx/onnx (every
 * ONNX_OPERATOR_SET_SCHEMA / ONNX_ML_OPERATOR_SET_SCHEMA / ONNX_PREVIEW_TRAINING_OPERATOR_SET_SCHEMA
 * in onnx/defs, all opset versions, checked against onnx 1.12's get_all_schemas_with_history()), plus
 * the experimental operators removed in opset 10 that older models still carry and onnxruntime still
 * implements. A node whose (domain, op_type) is not listed needs an operator library that is not part
 * of the standard runtime.
 */

/** Default domain ('' and its alias 'ai.onnx'). */
export const ONNX_OPS: ReadonlySet<string> = new Set(
  `Abs Acos Acosh Add AffineGrid And ArgMax ArgMin Asin Asinh Atan Atanh Attention AveragePool
BatchNormalization Bernoulli BitCast BitShift BitwiseAnd BitwiseNot BitwiseOr BitwiseXor
BlackmanWindow Cast CastLike CausalConvWithState Ceil Celu CenterCropPad Clip Col2Im Compress
Concat ConcatFromSequence Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumProd
CumSum DFT DeformConv DepthToSpace DequantizeLinear Det Div Dropout DynamicQuantizeLinear Einsum
Elu Equal Erf Exp Expand EyeLike Flatten Floor GRU Gather GatherElements GatherND Gelu Gemm
GlobalAveragePool GlobalLpPool GlobalMaxPool Greater GreaterOrEqual GridSample GroupNormalization
HammingWindow HannWindow HardSigmoid HardSwish Hardmax Identity If ImageDecoder
InstanceNormalization IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less LessOrEqual
LinearAttention Log LogSoftmax Loop LpNormalization LpPool MatMul MatMulInteger Max MaxPool
MaxRoiPool MaxUnpool Mean MeanVarianceNormalization MelWeightMatrix Min Mish Mod Mul Multinomial
Neg NegativeLogLikelihoodLoss NonMaxSuppression NonZero Not OneHot Optional OptionalGetElement
OptionalHasElement Or PRelu Pad Pow QLinearConv QLinearMatMul QuantizeLinear RMSNormalization RNN
RandomNormal RandomNormalLike RandomUniform RandomUniformLike Range Reciprocal ReduceL1 ReduceL2
ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ReduceSumSquare
RegexFullMatch Relu Reshape Resize ReverseSequence RoiAlign RotaryEmbedding Round STFT Scan Scatter
ScatterElements ScatterND Selu SequenceAt SequenceConstruct SequenceEmpty SequenceErase
SequenceInsert SequenceLength SequenceMap Shape Shrink Sigmoid Sign Sin Sinh Size Slice Softmax
SoftmaxCrossEntropyLoss Softplus Softsign SpaceToDepth Split SplitToSequence Sqrt Squeeze
StringConcat StringNormalizer StringSplit Sub Sum SwiGLU Swish Tan Tanh TensorScatter
TfIdfVectorizer ThresholdedRelu Tile TopK Transpose Trilu Unique Unsqueeze Upsample Where Xor
Affine ConstantFill Crop DynamicSlice GRUUnit GivenTensorFill ImageScaler ParametricSoftplus Scale
ScaledTanh`.split(/\s+/),
);

/** 'ai.onnx.ml' (traditional ML operators). */
export const ONNX_ML_OPS: ReadonlySet<string> = new Set(
  `ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer
LabelEncoder LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor
Scaler TreeEnsemble TreeEnsembleClassifier TreeEnsembleRegressor ZipMap`.split(/\s+/),
);

/** 'ai.onnx.preview.training' (and 'ai.onnx.training', which onnx reserves for the same operators). */
export const ONNX_TRAINING_OPS: ReadonlySet<string> = new Set(['Adagrad', 'Adam', 'Gradient', 'Momentum']);

/** Operator sets by domain; the default domain has two spellings. */
export const STANDARD_DOMAINS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['', ONNX_OPS],
  ['ai.onnx', ONNX_OPS],
  ['ai.onnx.ml', ONNX_ML_OPS],
  ['ai.onnx.preview.training', ONNX_TRAINING_OPS],
  ['ai.onnx.training', ONNX_TRAINING_OPS],
]);

/**
 * Domains of onnxruntime's own contrib kernels: native code, but compiled into the runtime that ships
 * them (not loaded from the model's publisher). `com.ms.internal.nhwc` is written by ORT's layout
 * optimizer into saved optimized models.
 */
export const RUNTIME_DOMAINS: ReadonlySet<string> = new Set([
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.ms.internal.nhwc',
]);
