/**
 * TensorFlow operator facts for scanning graphs without TensorFlow.
 *
 * TF_STANDARD_OPS is how modelguard knows an op ships with TensorFlow: the union of (1) the TF Lite
 * Flex delegate's allowlist of TensorFlow ops (tensorflow/lite/delegates/flex/allowlisted_flex_ops.cc,
 * a curated list of ~600 core ops), (2) ops that TF2 SavedModels routinely contain and that list omits
 * (function calls, resource variables, control flow, tf.data, lookup tables, summaries, XLA), written
 * by hand from tf.raw_ops, and (3) every op of TF_OP_RISKS. It is not all ~1,500 raw ops: an op outside
 * it is reported as unknown (medium) so a reviewer checks whether it needs a custom op library.
 */

/** Why an op matters when a SavedModel is loaded or served. */
export type TfOpRisk =
  /** Calls Python registered in the loading process (tf.py_function, tf.numpy_function). */
  | 'python'
  /** Reads or lists files named by a tensor or attribute. */
  | 'file-read'
  /** Reads a vocabulary or checkpoint file; benign models use it for their own assets. */
  | 'asset-read'
  /** Creates or overwrites files. */
  | 'file-write'
  /** Checkpoint save/restore (expected inside the saver's functions, file I/O anywhere else). */
  | 'checkpoint'
  /** Talks to other hosts or configures cloud credentials. */
  | 'network'
  /** Dangerous only with certain attribute values (checked by the scanner). */
  | 'attr';

export interface TfOpRiskInfo {
  risk: TfOpRisk;
  why: string;
}

function risks(risk: TfOpRisk, why: string, names: string): Record<string, TfOpRiskInfo> {
  return Object.fromEntries(names.split(/\s+/).map((n) => [n, { risk, why }]));
}

/** Ops with a side effect outside the tensor computation, by name. */
export const TF_OP_RISKS: Readonly<Record<string, TfOpRiskInfo>> = {
  ...risks(
    'python',
    'calls a Python function registered in the loading process by token (tf.py_function / tf.numpy_function); the graph runs whatever Python is registered under it',
    'PyFunc PyFuncStateless EagerPyFunc',
  ),
  ...risks('file-read', 'reads the file named by its input tensor', 'ReadFile'),
  ...risks('file-read', 'lists files matching a glob pattern (file-system reconnaissance)', 'MatchingFiles'),
  ...risks('file-read', 'memory-maps the file named by its memory_region_name attribute', 'ImmutableConst'),
  ...risks(
    'file-read',
    'reads files through a TF reader or tf.data source',
    `WholeFileReader WholeFileReaderV2 TextLineReader TextLineReaderV2 FixedLengthRecordReader
FixedLengthRecordReaderV2 TFRecordReader TFRecordReaderV2 LMDBReader TFRecordDataset TFRecordDatasetV2
TextLineDataset FixedLengthRecordDataset FixedLengthRecordDatasetV2 CSVDataset CSVDatasetV2
ExperimentalCSVDataset LMDBDataset ExperimentalLMDBDataset LoadDataset SqlDataset ExperimentalSqlDataset`,
  ),
  ...risks(
    'asset-read',
    'reads a vocabulary or checkpoint file named by a tensor (benign models read their own assets/ files)',
    'InitializeTableFromTextFile InitializeTableFromTextFileV2 LoadAndRemapMatrix GenerateVocabRemapping',
  ),
  ...risks('file-write', 'writes its input tensor to the file named by another input', 'WriteFile'),
  ...risks(
    'file-write',
    'writes files (tf.data save/snapshot/cache, TFRecord export, summary writers, debugger dumps)',
    `SaveDataset SaveDatasetV2 SnapshotDataset SnapshotDatasetV2 DatasetToTFRecord ExperimentalDatasetToTFRecord
CacheDataset CacheDatasetV2 CreateSummaryFileWriter CreateSummaryDbWriter DebugIdentity DebugIdentityV2
DebugIdentityV3 DebugNanCount DebugNumericSummary`,
  ),
  ...risks(
    'checkpoint',
    'saves or restores checkpoint files at a path given by a tensor',
    'Save SaveV2 SaveSlices Restore RestoreV2 RestoreSlice MergeV2Checkpoints',
  ),
  ...risks(
    'network',
    'connects to other hosts (RPC, tf.data service, BigQuery) or configures cloud credentials',
    `Rpc TryRpc RpcServer RpcServerStart RpcServerRegister RpcClient RpcCall RpcCheckStatus RpcGetValue
GcsConfigureCredentials GcsConfigureBlockCache BigQueryReader GenerateBigQueryReaderPartitions
DataServiceDataset DataServiceDatasetV2 DataServiceDatasetV3 DataServiceDatasetV4 RegisterDataset
RegisterDatasetV2`,
  ),
  ...risks('attr', "writes to the file named in output_stream when it starts with 'file://'", 'PrintV2'),
  ...risks(
    'attr',
    "loads protobuf descriptors from the file in descriptor_source unless it is 'local://'",
    'DecodeProtoV2 EncodeProto',
  ),
};

/** The TF Lite Flex delegate allowlist (tensorflow/lite/delegates/flex/allowlisted_flex_ops.cc). */
const FLEX_ALLOWLIST = `Abort Abs Add AddN AddV2 AdjustContrast AdjustContrastv2 AdjustHue AdjustSaturation All Any
ApplyAdaMax ApplyAdadelta ApplyAdagrad ApplyAdagradDA ApplyAdagradV2 ApplyAdam ApplyAddSign
ApplyCenteredRMSProp ApplyFtrl ApplyFtrlV2 ApplyGradientDescent ApplyMomentum ApplyPowerSign
ApplyProximalAdagrad ApplyProximalGradientDescent ApplyRMSProp ApproximateEqual ArgMax ArgMin Assert
Assign AssignAdd AssignSub Atan Atan2 AudioSpectrogram AvgPool AvgPool3D AvgPool3DGrad AvgPoolGrad
BatchMatMul BatchMatMulV2 BatchMatrixDiag BatchMatrixDiagPart BatchMatrixInverse BatchMatrixSetDiag
BatchNormWithGlobalNormalization BatchNormWithGlobalNormalizationGrad BatchToSpace BatchToSpaceND
BiasAdd BiasAddGrad BiasAddV1 Bincount Bitcast BitwiseAnd BitwiseOr BitwiseXor BoostedTreesBucketize
BoostedTreesCreateQuantileStreamResource BoostedTreesFlushQuantileSummaries
BoostedTreesMakeQuantileSummaries BoostedTreesQuantileStreamResourceAddSummaries
BoostedTreesQuantileStreamResourceDeserialize BoostedTreesQuantileStreamResourceFlush
BoostedTreesQuantileStreamResourceGetBucketBoundaries BoostedTreesQuantileStreamResourceHandleOp
BroadcastArgs BroadcastGradientArgs BroadcastTo Bucketize CTCBeamSearchDecoder CTCGreedyDecoder Cast
Ceil CheckNumerics CheckNumericsV2 CombinedNonMaxSuppression Complex ComplexAbs Concat ConcatOffset
ConcatV2 Conj ConjugateTranspose Const ControlTrigger Conv2D Conv2DBackpropFilter Conv2DBackpropInput
Conv3D Conv3DBackpropFilter Conv3DBackpropFilterV2 Conv3DBackpropInput Conv3DBackpropInputV2 Cos Cosh
CropAndResize CropAndResizeGradBoxes CropAndResizeGradImage Cumprod Cumsum CumulativeLogsumexp
DataFormatDimMap DataFormatVecPermute DebugGradientIdentity DebugGradientRefIdentity DecodeAndCropJpeg
DecodeBase64 DecodeBmp DecodeGif DecodeImage DecodeJpeg DecodePng DecodeRaw DecodeWav DeepCopy
DeleteSessionTensor DenseBincount DepthToSpace DepthwiseConv2dNative Dequantize
DestroyTemporaryVariable Diag DiagPart Dilation2D Dilation2DBackpropFilter Dilation2DBackpropInput Div
DivNoNan DynamicPartition DynamicStitch Einsum Elu EluGrad Empty EmptyTensorList EncodeBase64
EncodeJpeg EncodeJpegVariableQuality EncodePng EncodeWav EnsureShape Enter Equal Erf Exit Exp
ExpandDims ExtractImagePatches FFT FFT2D FFT3D FIFOQueue FIFOQueueV2 FakeQuantWithMinMaxArgs
FakeQuantWithMinMaxArgsGradient FakeQuantWithMinMaxVars FakeQuantWithMinMaxVarsGradient
FakeQuantWithMinMaxVarsPerChannel FakeQuantWithMinMaxVarsPerChannelGradient FakeQueue Fill
Fingerprint Floor FloorDiv FloorMod FusedBatchNorm FusedBatchNormGrad FusedBatchNormGradV2
FusedBatchNormGradV3 FusedBatchNormV2 FusedBatchNormV3 FusedPadConv2D FusedResizeAndPadConv2D Gather
GatherNd GatherV2 GetSessionHandle GetSessionHandleV2 GetSessionTensor Greater GreaterEqual
HistogramSummary IFFT IFFT2D IFFT3D IRFFT IRFFT2D IRFFT3D Identity IdentityN Imag
ImageProjectiveTransformV2 ImageProjectiveTransformV3 ImmutableConst InTopK InTopKV2 InplaceAdd
InplaceSub InplaceUpdate Inv InvGrad Invert InvertPermutation
IsBoostedTreesQuantileStreamResourceInitialized IsFinite IsNan IsVariableInitialized LRN LeakyRelu
LeakyReluGrad LeftShift Less LessEqual LinSpace ListDiff Log LogSoftmax LogicalAnd LogicalNot LogicalOr
LoopCond MatMul MatrixDiag MatrixDiagPart MatrixDiagPartV2 MatrixDiagPartV3 MatrixDiagV2 MatrixDiagV3
MatrixInverse MatrixSetDiag MatrixSetDiagV2 MatrixSetDiagV3 Max MaxPool MaxPool3D MaxPool3DGrad
MaxPool3DGradGrad MaxPoolGrad MaxPoolGradGrad MaxPoolGradGradV2 MaxPoolGradV2 MaxPoolGradWithArgmax
MaxPoolV2 MaxPoolWithArgmax Maximum Mean Merge MergeSummary MergeV2Checkpoints Mfcc Min Minimum
MirrorPad MirrorPadGrad Mul MulNoNan Multinomial Neg NextIteration NoOp NonMaxSuppression
NonMaxSuppressionV2 NonMaxSuppressionV3 NonMaxSuppressionV4 NonMaxSuppressionV5
NonMaxSuppressionWithOverlaps NotEqual OneHot OnesLike Pack Pad PadV2 PaddingFIFOQueue
PaddingFIFOQueueV2 ParallelConcat ParallelDynamicStitch ParseExample ParseExampleV2
ParseSequenceExample ParseSequenceExampleV2 ParseSingleExample ParseSingleSequenceExample Placeholder
PlaceholderV2 PlaceholderWithDefault PopulationCount Pow PreventGradient Print PrintV2 Prod
QuantizeDownAndShrinkRange QuantizeV2 QuantizedAdd QuantizedAvgPool
QuantizedBatchNormWithGlobalNormalization QuantizedBiasAdd QuantizedConcat QuantizedConv2D
QuantizedInstanceNorm QuantizedMatMul QuantizedMaxPool QuantizedMul QuantizedRelu QuantizedRelu6
QuantizedReshape QuantizedResizeBilinear QueueClose QueueCloseV2 QueueDequeue QueueDequeueMany
QueueDequeueManyV2 QueueDequeueUpTo QueueDequeueUpToV2 QueueDequeueV2 QueueEnqueue QueueEnqueueMany
QueueEnqueueManyV2 QueueEnqueueV2 QueueIsClosed QueueIsClosedV2 QueueSize QueueSizeV2 RFFT RFFT2D
RFFT3D RaggedBincount RaggedGather RaggedRange RaggedTensorToSparse RaggedTensorToTensor RandomGamma
RandomPoisson RandomPoissonV2 RandomStandardNormal RandomUniform RandomUniformInt Range Rank Real
RealDiv Reciprocal ReciprocalGrad Recv ReduceJoin RefEnter RefExit RefIdentity RefMerge
RefNextIteration RefSelect RefSwitch RegexFullMatch RegexReplace Relu Relu6 Relu6Grad ReluGrad
RemoteCall RequantizationRange Requantize Reshape ResizeBilinear ResizeBilinearGrad
ResizeNearestNeighbor ResizeNearestNeighborGrad ResourceApplyAdaMax ResourceApplyAdadelta
ResourceApplyAdagrad ResourceApplyAdagradDA ResourceApplyAdagradV2 ResourceApplyAdam
ResourceApplyAdamWithAmsgrad ResourceApplyAddSign ResourceApplyCenteredRMSProp ResourceApplyFtrl
ResourceApplyFtrlV2 ResourceApplyGradientDescent ResourceApplyKerasMomentum ResourceApplyMomentum
ResourceApplyPowerSign ResourceApplyProximalAdagrad ResourceApplyProximalGradientDescent
ResourceApplyRMSProp ResourceScatterNdAdd ResourceScatterNdMax ResourceScatterNdMin
ResourceScatterNdSub ResourceScatterNdUpdate ResourceSparseApplyAdadelta ResourceSparseApplyAdagrad
ResourceSparseApplyAdagradDA ResourceSparseApplyAdagradV2 ResourceSparseApplyCenteredRMSProp
ResourceSparseApplyFtrl ResourceSparseApplyFtrlV2 ResourceSparseApplyKerasMomentum
ResourceSparseApplyMomentum ResourceSparseApplyProximalAdagrad
ResourceSparseApplyProximalGradientDescent ResourceSparseApplyRMSProp ResourceStridedSliceAssign
Restore RestoreSlice RestoreV2 Reverse ReverseSequence ReverseV2 RightShift Roll Round Rsqrt RsqrtGrad
SampleDistortedBoundingBox SampleDistortedBoundingBoxV2 Save SaveSlices SaveV2 ScalarSummary ScatterNd
ScatterNdAdd ScatterNdMax ScatterNdMin ScatterNdNonAliasingAdd ScatterNdSub ScatterNdUpdate SegmentMax
SegmentMean SegmentMin SegmentProd SegmentSum Select SelectV2 Selu SeluGrad Send Shape ShapeN
ShardedFilename ShardedFilespec Sigmoid SigmoidGrad Sign Sin Sinh Size Slice Softmax
SoftmaxCrossEntropyWithLogits Softplus SoftplusGrad Softsign SoftsignGrad SpaceToBatch SpaceToBatchND
SpaceToDepth SparseApplyAdadelta SparseApplyAdagrad SparseApplyAdagradDA SparseApplyAdagradV2
SparseApplyCenteredRMSProp SparseApplyFtrl SparseApplyFtrlV2 SparseApplyMomentum
SparseApplyProximalAdagrad SparseApplyProximalGradientDescent SparseApplyRMSProp SparseBincount
SparseCross SparseCrossHashed SparseCrossV2 SparseFillEmptyRows SparseFillEmptyRowsGrad SparseReshape
SparseSegmentMean SparseSegmentMeanGrad SparseSegmentMeanWithNumSegments SparseSegmentSqrtN
SparseSegmentSqrtNGrad SparseSegmentSqrtNWithNumSegments SparseSegmentSum
SparseSegmentSumWithNumSegments SparseToDense Split SplitV Sqrt SqrtGrad Square SquaredDifference
Squeeze Stack StackClose StackCloseV2 StackPop StackPopV2 StackPush StackPushV2 StackV2
StatelessMultinomial StatelessRandomGammaV2 StatelessRandomGetKeyCounterAlg StatelessRandomNormal
StatelessRandomNormalV2 StatelessRandomPoisson StatelessRandomUniform StatelessRandomUniformFullInt
StatelessRandomUniformFullIntV2 StatelessRandomUniformInt StatelessRandomUniformIntV2
StatelessRandomUniformV2 StatelessSampleDistortedBoundingBox StatelessTruncatedNormal
StatelessTruncatedNormalV2 StaticRegexFullMatch StaticRegexReplace StopGradient StridedSlice
StridedSliceAssign StridedSliceGrad StringJoin StringLength StringLower StringSplit StringSplitV2
StringStrip StringToHashBucket StringToHashBucketFast StringToHashBucketStrong Sub Substr Sum Switch
SymbolicGradient Tan Tanh TanhGrad TemporaryVariable TensorArray TensorArrayClose TensorArrayCloseV2
TensorArrayCloseV3 TensorArrayConcat TensorArrayConcatV2 TensorArrayConcatV3 TensorArrayGather
TensorArrayGatherV2 TensorArrayGatherV3 TensorArrayGrad TensorArrayGradV2 TensorArrayGradV3
TensorArrayGradWithShape TensorArrayPack TensorArrayRead TensorArrayReadV2 TensorArrayReadV3
TensorArrayScatter TensorArrayScatterV2 TensorArrayScatterV3 TensorArraySize TensorArraySizeV2
TensorArraySizeV3 TensorArraySplit TensorArraySplitV2 TensorArraySplitV3 TensorArrayUnpack
TensorArrayV2 TensorArrayV3 TensorArrayWrite TensorArrayWriteV2 TensorArrayWriteV3 TensorListConcat
TensorListConcatLists TensorListConcatV2 TensorListElementShape TensorListFromTensor TensorListGather
TensorListGetItem TensorListLength TensorListPopBack TensorListPushBack TensorListPushBackBatch
TensorListReserve TensorListResize TensorListScatter TensorListScatterIntoExistingList
TensorListScatterV2 TensorListSetItem TensorListSplit TensorListStack TensorScatterAdd TensorScatterMax
TensorScatterMin TensorScatterSub TensorScatterUpdate TensorStridedSliceUpdate Tile TileGrad Timestamp
TopK TopKV2 Transpose TruncateDiv TruncatedNormal UnicodeDecode UnicodeDecodeWithOffsets UnicodeEncode
UnicodeTranscode Unique UniqueV2 UniqueWithCounts UniqueWithCountsV2 Unpack UnsortedSegmentMax
UnsortedSegmentMin UnsortedSegmentProd UnsortedSegmentSum UnwrapDatasetVariant Variable VariableV2
Where WrapDatasetVariant Xdivy Xlog1py Xlogy ZerosLike _Arg _ArrayToList _DeviceArg _DeviceRetval
_FusedConv2D _HostCast _HostRecv _HostSend _ListToArray _ParallelConcatStart _ParallelConcatUpdate
_Recv _Retval _Send _SwitchN`;

/** Ops TF2 SavedModels routinely contain that the Flex allowlist omits (from tf.raw_ops). */
const TF2_COMMON = `StatefulPartitionedCall PartitionedCall If StatelessIf While StatelessWhile Case StatelessCase
For _If _While FakeParam VarHandleOp ReadVariableOp AssignVariableOp AssignAddVariableOp
AssignSubVariableOp VarIsInitializedOp DestroyResourceOp ResourceGather ResourceGatherNd
ResourceScatterAdd ResourceScatterSub ResourceScatterMul ResourceScatterDiv ResourceScatterMin
ResourceScatterMax ResourceScatterUpdate VariableShape _ReadVariablesOp DisableCopyOnRead MutexV2
MutexLock ConsumeMutexLock BatchMatMulV3 Acos Acosh Asin Asinh Atanh Lgamma Digamma Igamma Igammac
Betainc Zeta Polygamma Erfc Erfinv Ndtri Expm1 Log1p Rint TruncateMod Mod ClipByValue L2Loss Cholesky
Qr Svd SelfAdjointEigV2 MatrixDeterminant LogMatrixDeterminant MatrixSolve MatrixSolveLs
MatrixTriangularSolve MatrixBandPart MatrixExponential MatrixLogarithm MatrixSquareRoot Lu Eig
BesselI0e BesselI1e Cross NextAfter Angle IsInf EuclideanNorm Snapshot HostConst UpperBound
LowerBound HistogramFixedWidth QuantizeAndDequantize QuantizeAndDequantizeV2 QuantizeAndDequantizeV3
QuantizeAndDequantizeV4 SparseSoftmaxCrossEntropyWithLogits NthElement ResizeBicubic ResizeArea
ScaleAndTranslate ExtractVolumePatches _FusedMatMul _FusedBatchNormEx _FusedDepthwiseConv2dNative
CudnnRNN CudnnRNNV2 CudnnRNNV3 CudnnRNNParamsSize CudnnRNNCanonicalToParams CudnnRNNParamsToCanonical
BlockLSTM BlockLSTMV2 LSTMBlockCell GRUBlockCell RandomShuffle RngReadAndSkip RngSkip StatefulUniform
StatefulStandardNormalV2 StatefulUniformInt StatefulUniformFullInt StatefulTruncatedNormal
AnonymousSeedGenerator DeleteSeedGenerator DummySeedGenerator StringUpper StringToNumber AsString
StringFormat StringNGrams UnicodeScript UnsortedSegmentJoin RGBToHSV HSVToRGB DrawBoundingBoxes
DrawBoundingBoxesV2 ExtractJpegShape DecodeCSV DecodePaddedRaw DecodeCompressed SerializeTensor
ParseTensor SparseTensorDenseMatMul SparseConcat SparseSlice SparseReorder SparseAdd SparseReduceSum
SparseTensorDenseAdd SparseSoftmax SparseMatMul SparseSplit SerializeSparse DeserializeSparse
SerializeManySparse DeserializeManySparse RaggedTensorFromVariant RaggedTensorToVariant RaggedCross
HashTable HashTableV2 MutableHashTable MutableHashTableV2 MutableHashTableOfTensors
MutableHashTableOfTensorsV2 MutableDenseHashTable MutableDenseHashTableV2 AnonymousHashTable
AnonymousMutableHashTable AnonymousMutableHashTableOfTensors AnonymousMutableDenseHashTable
LookupTableFind LookupTableFindV2 LookupTableInsert LookupTableInsertV2 LookupTableRemoveV2
LookupTableSize LookupTableSizeV2 LookupTableExport LookupTableExportV2 LookupTableImport
LookupTableImportV2 InitializeTable InitializeTableV2 InitializeTableFromDataset TensorDataset
TensorSliceDataset SparseTensorSliceDataset RangeDataset MapDataset ParallelMapDataset
ParallelMapDatasetV2 BatchDataset BatchDatasetV2 ParallelBatchDataset PaddedBatchDataset
PaddedBatchDatasetV2 PrefetchDataset ShuffleDataset ShuffleDatasetV2 ShuffleDatasetV3
ShuffleAndRepeatDataset ShuffleAndRepeatDatasetV2 RepeatDataset TakeDataset SkipDataset FilterDataset
FlatMapDataset InterleaveDataset ParallelInterleaveDataset ParallelInterleaveDatasetV2
ParallelInterleaveDatasetV3 ParallelInterleaveDatasetV4 ZipDataset ConcatenateDataset OptionsDataset
ModelDataset OptimizeDataset OptimizeDatasetV2 MaxIntraOpParallelismDataset PrivateThreadPoolDataset
UnbatchDataset RebatchDataset RebatchDatasetV2 WindowDataset ScanDataset TakeWhileDataset
GroupByWindowDataset GroupByReducerDataset AssertCardinalityDataset AssertNextDataset
AutoShardDataset IgnoreErrorsDataset DatasetCardinality DatasetToGraph DatasetToGraphV2
DatasetFromGraph DatasetToSingleElement ReduceDataset GeneratorDataset AnonymousIterator
AnonymousIteratorV2 AnonymousIteratorV3 DeleteIterator Iterator IteratorV2 MakeIterator
IteratorGetNext IteratorGetNextSync IteratorGetNextAsOptional IteratorToStringHandle
IteratorFromStringHandle IteratorFromStringHandleV2 OneShotIterator OptionalFromValue
OptionalGetValue OptionalHasValue OptionalNone ImageSummary AudioSummary AudioSummaryV2 TensorSummary
TensorSummaryV2 WriteScalarSummary WriteHistogramSummary WriteImageSummary WriteAudioSummary
WriteGraphSummary WriteRawProtoSummary WriteSummary FlushSummaryWriter CloseSummaryWriter
SummaryWriter ImportEvent XlaCallModule XlaSharding XlaLaunch StatelessRandomUniformFullInt
StatelessParameterizedTruncatedNormal ParameterizedTruncatedNormal Relu6 Softmax
DepthwiseConv2dNativeBackpropInput DepthwiseConv2dNativeBackpropFilter Conv2DBackpropInputV2
AddManySparseToTensorsMap AddSparseToTensorsMap TakeManySparseFromTensorsMap ZerosLike
ResourceCountUpTo CountUpTo TensorListFromTensor EmptyTensorList StridedSliceGrad BroadcastTo
SetSize DenseToDenseSetOperation DenseToSparseSetOperation SparseToSparseSetOperation Mfcc
BatchFunction Batch Unbatch UnbatchGrad`;

/** Ops known to ship with TensorFlow (see the module comment for how the list was built). */
export const TF_STANDARD_OPS: ReadonlySet<string> = new Set([
  ...`${FLEX_ALLOWLIST} ${TF2_COMMON}`.split(/\s+/).filter((s) => s !== ''),
  ...Object.keys(TF_OP_RISKS),
]);
