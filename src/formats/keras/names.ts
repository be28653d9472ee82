/**
 * What Keras itself knows: its module namespaces, the class names of its built-in layers and objects
 * (Keras 2 / tf.keras and Keras 3), the names of its built-in functions, and the functions and modules
 * that are dangerous when a config names them. Allowlists decide what is ordinary; the denylists only
 * sharpen severity and explain the danger.
 */

/** Module roots of Keras itself; Keras 3.9+ only imports modules under the first four. */
const KERAS_MODULE_ROOTS = [
  'keras',
  'keras_hub',
  'keras_cv',
  'keras_nlp',
  'tf_keras',
  'tensorflow.keras',
  'tensorflow.python.keras',
  'tf.keras',
] as const;

export function isKerasModule(module: string): boolean {
  return KERAS_MODULE_ROOTS.some((r) => module === r || module.startsWith(`${r}.`));
}

export function isTensorflowModule(module: string): boolean {
  return (
    module === 'tensorflow' || module.startsWith('tensorflow.') || module === 'tf' || module.startsWith('tf.')
  );
}

const LAYERS = `Activation ELU LeakyReLU PReLU ReLU Softmax ThresholdedReLU AdditiveAttention Attention
GroupedQueryAttention GroupQueryAttention MultiHeadAttention Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D
Conv3DTranspose Convolution1D Convolution2D Convolution3D Convolution2DTranspose Convolution3DTranspose
Deconvolution2D Deconvolution3D DepthwiseConv1D DepthwiseConv2D SeparableConv1D SeparableConv2D
SeparableConvolution1D SeparableConvolution2D Dense EinsumDense Embedding Identity Input InputLayer Lambda Masking
ReversibleEmbedding Wrapper InputSpec Layer Add Average Concatenate Dot Maximum Minimum Multiply Subtract
BatchNormalization SyncBatchNormalization GroupNormalization LayerNormalization RMSNormalization
SpectralNormalization UnitNormalization AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D
AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D AveragePooling1D AveragePooling2D
AveragePooling3D AvgPool1D AvgPool2D AvgPool3D GlobalAveragePooling1D GlobalAveragePooling2D
GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPooling1D GlobalMaxPooling2D
GlobalMaxPooling3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D
MaxPool1D MaxPool2D MaxPool3D CategoryEncoding Discretization HashedCrossing Hashing AugMix AutoContrast
CenterCrop ContrastLimitedAdaptiveHistogramEqualization CutMix Equalization MaxNumBoundingBoxes MixUp RandAugment
RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop RandomElasticTransform
RandomErasing RandomFlip RandomGaussianBlur RandomGrayscale RandomHue RandomInvert RandomPerspective
RandomPosterization RandomRotation RandomSaturation RandomSharpness RandomShear RandomTranslation RandomZoom
RandomHeight RandomWidth Resizing Solarization IndexLookup IntegerLookup MelSpectrogram Normalization Pipeline
Rescaling STFTSpectrogram StringLookup TextVectorization ActivityRegularization AlphaDropout Dropout
GaussianDropout GaussianNoise SpatialDropout1D SpatialDropout2D SpatialDropout3D Cropping1D Cropping2D Cropping3D
Flatten Permute ReconstructPatches2D ReconstructPatches3D RepeatVector Reshape UpSampling1D UpSampling2D
UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D Bidirectional ConvLSTM1D ConvLSTM2D ConvLSTM3D
ConvRNN1D ConvRNN2D ConvRNN3D GRU GRUCell GRUV1 GRUV2 LSTM LSTMCell LSTMV1 LSTMV2 RNN SimpleRNN SimpleRNNCell
StackedRNNCells TimeDistributed PeepholeLSTMCell CuDNNGRU CuDNNLSTM LocallyConnected1D LocallyConnected2D
DenseFeatures SequenceFeatures RandomFourierFeatures EinsumDense JaxLayer FlaxLayer TorchModuleWrapper TFSMLayer
Functional Sequential Model`;

/** Layers that call TensorFlow ops or tensor methods by name (tf.keras functional API op layers). */
export const TF_OP_LAYERS = new Set([
  'TFOpLambda',
  'SlicingOpLambda',
  'TensorFlowOpLayer',
  'InstanceProperty',
  'InstanceMethod',
  'ClassMethod',
]);

const OBJECTS = `Zeros Ones Constant RandomNormal RandomUniform TruncatedNormal VarianceScaling Orthogonal
OrthogonalInitializer IdentityInitializer GlorotNormal GlorotUniform HeNormal HeUniform LecunNormal LecunUniform
STFTInitializer Initializer L1 L2 L1L2 OrthogonalRegularizer Regularizer MaxNorm MinMaxNorm NonNeg UnitNorm
RadialConstraint Constraint Adam AdamW Adadelta Adafactor Adagrad Adamax Ftrl Lion Lamb LossScaleOptimizer
LossScaleOptimizerV3 Nadam RMSprop SGD Muon Optimizer ExponentialDecay PiecewiseConstantDecay PolynomialDecay
InverseTimeDecay CosineDecay CosineDecayRestarts LearningRateSchedule BinaryCrossentropy BinaryFocalCrossentropy
CategoricalCrossentropy CategoricalFocalCrossentropy CategoricalHinge CosineSimilarity Dice Hinge Huber
KLDivergence LogCosh MeanAbsoluteError MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError
Poisson SparseCategoricalCrossentropy SquaredHinge Tversky CTC Circle Loss LossFunctionWrapper Accuracy AUC
BinaryAccuracy BinaryIoU CategoricalAccuracy ConcordanceCorrelation F1Score FBetaScore FalseNegatives
FalsePositives IoU LogCoshError Mean MeanIoU MeanMetricWrapper MeanRelativeError MeanTensor Metric OneHotIoU
OneHotMeanIoU PearsonCorrelation Precision PrecisionAtRecall R2Score Recall RecallAtPrecision
RootMeanSquaredError SensitivityAtSpecificity SparseCategoricalAccuracy SparseTopKCategoricalAccuracy
SpecificityAtSensitivity Sum TopKCategoricalAccuracy TrueNegatives TruePositives MetricsList LossesContainer
CompileMetrics CompileLoss DTypePolicy FloatDTypePolicy QuantizedDTypePolicy QuantizedFloat8DTypePolicy
DTypePolicyMap GPTQDTypePolicy Policy PolicyV1 InputSpec TensorShape NumericColumn BucketizedColumn
EmbeddingColumn SharedEmbeddingColumn CategoricalColumnWithIdentity CategoricalColumnWithVocabularyList
CategoricalColumnWithVocabularyFile CategoricalColumnWithHashBucket CrossedColumn IndicatorColumn
WeightedCategoricalColumn SequenceNumericColumn SequenceCategoricalColumnWithIdentity
SequenceCategoricalColumnWithVocabularyList SequenceCategoricalColumnWithVocabularyFile
SequenceCategoricalColumnWithHashBucket`;

/** Markers of Keras 3 serialization for non-class values. */
export const SPECIAL_CLASSES = new Set([
  '__keras_tensor__',
  '__tensor__',
  '__numpy__',
  '__bytes__',
  '__ellipsis__',
  '__slice__',
  '__typespec__',
  '__lambda__',
  'function',
]);

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

/** Every class name Keras (2 or 3) defines for layers, models and the objects in their configs. */
export const KNOWN_CLASSES: ReadonlySet<string> = new Set([
  ...words(LAYERS),
  ...TF_OP_LAYERS,
  ...words(OBJECTS),
]);

/** Layer classes that build a whole model from `config.layers`. */
export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

const FUNCTIONS = `relu sigmoid softmax tanh elu selu softplus softsign swish silu gelu hard_sigmoid hard_silu
hard_swish exponential linear leaky_relu relu6 mish log_softmax celu glu hard_tanh hard_shrink soft_shrink
sparse_plus sparsemax squareplus tanh_shrink threshold log_sigmoid sparse_sigmoid mse mae mape msle
mean_squared_error mean_absolute_error mean_absolute_percentage_error mean_squared_logarithmic_error
binary_crossentropy categorical_crossentropy sparse_categorical_crossentropy binary_focal_crossentropy
categorical_focal_crossentropy hinge squared_hinge categorical_hinge kl_divergence kld kullback_leibler_divergence
poisson cosine_similarity cosine_proximity huber huber_loss log_cosh logcosh ctc dice tversky circle accuracy acc
binary_accuracy categorical_accuracy sparse_categorical_accuracy top_k_categorical_accuracy
sparse_top_k_categorical_accuracy crossentropy ce bce auc precision recall glorot_uniform glorot_normal
he_uniform he_normal lecun_uniform lecun_normal zeros ones zero one constant uniform normal random_uniform
random_normal truncated_normal orthogonal identity variance_scaling l1 l2 l1_l2 max_norm maxnorm non_neg nonneg
unit_norm unitnorm min_max_norm radial_constraint sgd rmsprop adam adamw adadelta adagrad adamax nadam ftrl lion
lamb adafactor mean_squared_logarithmic_error`;

/** Names of Keras' built-in functions (activations, losses, metrics, initializers …) as configs spell them. */
export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set(words(FUNCTIONS));

/** What a Keras API function does when a config makes Keras call it at load time. */
export interface Gadget {
  /** `download`: fetches a URL; `unsafe`: switches off safe mode; `call`: other side effects. */
  kind: 'download' | 'unsafe' | 'call';
  effect: string;
}

/** Keras functions reachable through allowed Keras modules that act when called (T55). */
export const GADGETS: ReadonlyMap<string, Gadget> = new Map<string, Gadget>([
  [
    'get_file',
    { kind: 'download', effect: 'downloads a URL into the Keras cache or any cache_dir (CVE-2025-8747)' },
  ],
  ['load_data', { kind: 'download', effect: 'keras.datasets.*.load_data downloads a dataset' }],
  [
    'enable_unsafe_deserialization',
    {
      kind: 'unsafe',
      effect: 'switches safe mode off for the rest of the load, so Lambda bytecode then runs (CVE-2025-9906)',
    },
  ],
  ['set_dtype_policy', { kind: 'call', effect: 'changes the global dtype policy of the process' }],
  ['set_floatx', { kind: 'call', effect: 'changes the global float type of the process' }],
  ['set_epsilon', { kind: 'call', effect: 'changes the global epsilon of the process' }],
  ['set_image_data_format', { kind: 'call', effect: 'changes the global image data format' }],
  ['set_backend', { kind: 'call', effect: 'switches the Keras backend' }],
  ['clear_session', { kind: 'call', effect: 'clears the global Keras state' }],
  ['disable_traceback_filtering', { kind: 'call', effect: 'changes global error reporting' }],
  [
    'pad_sequences',
    { kind: 'call', effect: 'allocates arrays of a size the config chooses (memory exhaustion)' },
  ],
  [
    'load_model',
    { kind: 'call', effect: 'loads another model file from a path the config chooses (CVE-2025-12058)' },
  ],
  ['load_weights', { kind: 'call', effect: 'reads a weights file from a path the config chooses' }],
  ['save_model', { kind: 'call', effect: 'writes a file to a path the config chooses' }],
  ['load_img', { kind: 'call', effect: 'reads a file from a path the config chooses' }],
  ['save_img', { kind: 'call', effect: 'writes a file to a path the config chooses' }],
  ['plot_model', { kind: 'call', effect: 'writes a file and runs the graphviz `dot` program' }],
  [
    'image_dataset_from_directory',
    { kind: 'call', effect: 'reads files from a directory the config chooses' },
  ],
  [
    'text_dataset_from_directory',
    { kind: 'call', effect: 'reads files from a directory the config chooses' },
  ],
  [
    'audio_dataset_from_directory',
    { kind: 'call', effect: 'reads files from a directory the config chooses' },
  ],
]);

/** Python modules whose import or use from a config means code execution, file or network access. */
const DANGEROUS_MODULES = new Set(
  words(`os posix nt subprocess sys builtins __builtin__ importlib imp pickle cPickle _pickle dill cloudpickle
  joblib marshal types code codeop runpy pty shutil socket ssl http urllib urllib2 urllib3 requests httpx ftplib
  smtplib telnetlib webbrowser ctypes cffi multiprocessing asyncio signal pathlib glob zipimport pkgutil commands
  popen2 operator functools inspect gc pdb bdb trace profile cProfile timeit distutils setuptools pip venv
  ensurepip site linecache tarfile zipfile sqlite3 xmlrpc shelve tempfile io _io posixpath ntpath platform
  threading _thread concurrent numpy.distutils torch yaml`),
);

export function isDangerousModule(module: string): boolean {
  const root = module.split('.')[0] ?? module;
  return DANGEROUS_MODULES.has(root) || DANGEROUS_MODULES.has(module);
}

/** Python builtins and callables that run code, open files or reach into objects when named in a config. */
export const DANGEROUS_CALLABLES = new Set(
  words(`eval exec compile open __import__ getattr setattr delattr globals locals vars input breakpoint exit quit
  help system popen Popen spawn spawnl spawnv execv execve execl fork run call check_call check_output getoutput
  getstatusoutput import_module load loads FunctionType CodeType LambdaType MethodType remove unlink rmtree
  rmdir urlopen urlretrieve create_connection attrgetter methodcaller partial`),
);

/** Strings in Lambda bytecode worth showing first: they run code, spawn processes or reach the network. */
export const DANGEROUS_CODE_NAMES = new Set([
  ...DANGEROUS_CALLABLES,
  ...words(`os subprocess sys builtins __builtins__ socket urllib requests shutil pickle marshal ctypes pty
  importlib base64 b64decode codecs write read connect send getenv environ chmod kill`),
]);
