//===- Strategy.cpp - layouts and tiles for the CPU -----------------------===//
//
// cnn-cpu-strategy: every decision the CPU pipeline makes for the machine,
// in one place. The numbers below are register budgets: a register tile
// (the accumulators one step of a reduction keeps in vector registers) must
// fit the machine's vector registers with room for the operands it
// multiplies, and be wide enough to hide the FMA latency. They are derived
// from TargetInfo (vector width, register count); the constants are the
// AVX-512 values measured on the lecture's networks, which an AVX2 machine
// (half the lanes, half the registers) scales down.
//
// The decisions are recorded as #cnn_cpu.config on the ops; tile-and-fuse
// (compiler/pipeline/TileAndFuse.cpp) only reads them.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Strategy.h"
#include "codegen/cpu/ChannelLaneConv.h"
#include "codegen/cpu/ChannelsLastActivations.h"
#include "codegen/cpu/FlatTensorOps.h"
#include "codegen/cpu/LaneSums.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/PoolWindows.h"
#include "codegen/cpu/TargetInfo.h"
#include "conversion/CnnToLinalg/LinalgBuilders.h"
#include "transforms/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>
#include <optional>

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUSTRATEGY
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;
using namespace cnnc::cpu;

namespace {

/// Most accumulators a channel-lane conv step keeps (AVX-512: 14 of 32
/// registers measured best; more only lengthens the step's loads).
constexpr int64_t kMaxLaneConvAccumulators = 14;
/// Most accumulators a Winograd conv's step keeps where that many divide
/// its tiles (a smaller last step, of few accumulators, waits on the FMA
/// latency).
constexpr int64_t kMaxWinogradAccumulators = 16;
/// Most loads per multiply-add in a channel-lane conv step: 2 FMAs and 2
/// vector loads a cycle (Skylake, Zen 3, Zen 4), with room to spare.
constexpr double kMaxLaneConvLoadsPerFma = 0.75;
/// Most vector registers of filter values in one channel-lane conv step.
constexpr int64_t kMaxLaneConvLaneRegisters = 4;
/// Rows (output channels) of an NCHW register tile per vector register in
/// the machine: 32 registers -> 8 rows of a row-wide tile.
constexpr int64_t kRegistersPerChannelRow = 4;
/// Reduction slice of a contraction step, in vector registers.
constexpr int64_t kReductionRegisters = 4;
/// One step of an op over whole parameters (the SGD update reads three
/// tensors and writes two), in vector registers per tensor.
constexpr int64_t kFlatStepRegisters = 2;
/// The largest vectorized op, in vector registers: the size of its block
/// after unrolling (8,192 floats on AVX-512; every register tile and
/// channel x row tile is far below).
constexpr int64_t kMaxVectorRegisters = 512;
/// A copy's row piece per step, in vector registers.
constexpr int64_t kCopyPieceRegisters = 4;
/// Width of a batch contraction's register tile, in vector registers.
constexpr int64_t kBatchLaneRegisters = 2;

/// Most accumulators of a batch contraction's register tile, as a share of
/// the vector registers (12 of AVX2's 16); the rest hold its operands.
constexpr double kMaxBatchAccumulatorShare = 0.75;

/// Fewest blocks of a loop that the threads share: a register tile that
/// took all of it would run on one thread (AVX-512's 16-channel first conv's
/// weight gradient did, 18% of Net's step on one thread, serial).
constexpr int64_t kMinThreadBlocks = 2;

/// Fewest broadcast rows (the other channel count) for a weight gradient
/// with channels as the lane: fewer leave the register tile too thin.
constexpr int64_t kMinWeightGradRows = 8;

/// A step of max_pool2d_grad's first-maximum codes over channels-last
/// windows, in vector registers of results: it keeps as many of the maxima
/// beside them and loads as many window elements (AVX-512: 8 + 8 + 8 of
/// 32, where 16 spilled: CIFAR-2's NetResDeep's first region 8% faster).
constexpr int64_t kWindowStepRegisters = 8;

/// Most columns of a channels-last copy's step, in vector registers.
constexpr int64_t kChannelsLastCopyColumns = 4;

/// One step of an elementwise op or a pooling over a channels-last image:
/// one row, as many columns of all channels as fill this many vector
/// registers (at least one column).
constexpr int64_t kChannelsLastStepRegisters = 16;
/// The machine's numbers the decisions use.
struct Budget {
  int64_t lanes;        ///< f32 per vector register
  int64_t registers;    ///< vector registers
  int64_t channelTile;  ///< output channels per NCHW tile
  int64_t reductionTile;
  int64_t batchLanes;   ///< last dimension of a batch contraction's tile
  int64_t batchRows;    ///< the dimension before it
  int64_t flatStep;     ///< elements per step of a flat op

  explicit Budget(const TargetInfo &info)
      : lanes(info.f32Lanes()), registers(info.vectorRegisters),
        channelTile(std::max<int64_t>(1, registers / kRegistersPerChannelRow)),
        reductionTile(kReductionRegisters * lanes),
        batchLanes(kBatchLaneRegisters * lanes),
        // Half the registers hold the accumulators.
        batchRows(std::max<int64_t>(
            1, std::min<int64_t>(8, registers / 2 / kBatchLaneRegisters))),
        flatStep(kFlatStepRegisters * lanes) {}
};

bool isParallel(utils::IteratorType t) {
  return t == utils::IteratorType::parallel;
}
bool isReduction(utils::IteratorType t) {
  return t == utils::IteratorType::reduction;
}

/// The largest divisor of `size` not above `preferred`, so that every tile
/// has a static shape (`preferred` for a dynamic size).
int64_t channelTileFor(int64_t size, int64_t preferred) {
  if (ShapedType::isDynamic(size))
    return preferred;
  return std::gcd(size, preferred);
}

int64_t largestDivisor(int64_t range, int64_t bound) {
  for (int64_t t = std::min(range, bound); t > 1; --t)
    if (range % t == 0)
      return t;
  return 1;
}

/// Makes `laneConv` read a channels-last copy of its NCHW input.
void readChannelsLastCopy(RewriterBase &rewriter, linalg::GenericOp laneConv) {
  MLIRContext *ctx = laneConv.getContext();
  rewriter.setInsertionPoint(laneConv);
  OpOperand &input = laneConv->getOpOperand(0);
  Value copy =
      cnn::lowering::channelsLast(rewriter, laneConv.getLoc(), input.get());
  SmallVector<AffineMap> maps = laneConv.getIndexingMapsArray();
  AffineMap nchw = maps[0];
  maps[0] = AffineMap::get(7, 0,
                           {nchw.getResult(0), nchw.getResult(2),
                            nchw.getResult(3), nchw.getResult(1)},
                           ctx);
  rewriter.modifyOpInPlace(laneConv, [&] {
    input.set(copy);
    laneConv.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
}

/// A lane conv reading its input channels-last, (n, oh + i, ow + j, c).
bool readsChannelsLast(linalg::GenericOp laneConv) {
  AffineMap input = laneConv.getIndexingMapsArray()[0];
  return input.getNumResults() == 4 &&
         input.getResult(3) == getAffineDimExpr(4, laneConv.getContext());
}

/// Parallel loops first, then reductions only.
bool isContraction(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned numParallel = op.getNumParallelLoops();
  return numParallel > 0 && numParallel < iters.size() &&
         llvm::all_of(ArrayRef(iters).take_front(numParallel), isParallel) &&
         llvm::all_of(ArrayRef(iters).drop_front(numParallel), isReduction);
}

/// A contraction whose reductions include the (dynamic) batch.
bool reducesBatch(linalg::LinalgOp op) {
  for (auto [it, range] : llvm::zip(op.getIteratorTypesArray(),
                                    op.getStaticLoopRanges()))
    if (isReduction(it) && ShapedType::isDynamic(range))
      return true;
  return false;
}

class Strategy {
public:
  Strategy(MLIRContext *ctx, const TargetInfo &info)
      : ctx(ctx), budget(info) {}

  /// Whether `conv` is computed channels-last: its output channels fill
  /// whole vector registers.
  bool wantsChannelLanes(linalg::Conv2DNchwFchwOp conv) const {
    auto type = cast<RankedTensorType>(conv.getResultTensors()[0].getType());
    int64_t channels = type.getDimSize(1);
    return !ShapedType::isDynamic(channels) && channels % budget.lanes == 0;
  }

  /// Winograd's F(2x2, 3x3) for a 3x3, stride-1 conv whose output sides
  /// are even and whose input and output channels fill vector registers:
  /// 16 multiplies per 2x2 output tile and channel pair instead of 36 (the
  /// transforms are adds, a few percent of the products' time). Measured on
  /// NetResDeep (bench/RESULTS.md, stop 43).
  bool wantsWinograd(linalg::Conv2DNchwFchwOp conv) const {
    auto in = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto filter = cast<RankedTensorType>(conv.getInputs()[1].getType());
    auto out = cast<RankedTensorType>(conv.getResultTensors()[0].getType());
    auto ones = [](DenseIntElementsAttr a) {
      return llvm::all_of(a.getValues<int64_t>(),
                          [](int64_t v) { return v == 1; });
    };
    int64_t c = in.getDimSize(1), f = out.getDimSize(1), h = out.getDimSize(2),
            w = out.getDimSize(3);
    return filter.hasStaticShape() && filter.getDimSize(2) == 3 &&
           filter.getDimSize(3) == 3 && ones(conv.getStrides()) &&
           ones(conv.getDilations()) && !ShapedType::isDynamic(c) &&
           !ShapedType::isDynamic(h) && !ShapedType::isDynamic(w) &&
           c % budget.lanes == 0 && f % budget.lanes == 0 && h % 2 == 0 &&
           w % 2 == 0;
  }

  /// A Winograd conv's output tiles: `forced` (2 or 4) if given, else the
  /// side whose products are fewer: (H/2)(W/2) tiles of 16 points against
  /// ⌈H/4⌉⌈W/4⌉ of 36 (F(4x4, 3x3)'s last tiles may reach past the image,
  /// their outputs there dropped): 784 against 576 at 14 x 14, 1024
  /// against 576 at 16 x 16. (Their transforms cost about the same per
  /// output.) The same in a training step's forward pass as in its input
  /// gradients and in inference: F(4x4, 3x3) rounds about 15 times as
  /// much as F(2x2, 3x3) (2.7e-6 of the largest output against 1.8e-7, 32
  /// channels, random data), yet a training step's gradients stay inside
  /// f32's own spread (bench/float64_step.py, NetResDeep at CIFAR-2: the
  /// block's weight gradient 1.1e-5 off a float64 step at 10 blocks, where
  /// PyTorch eager is 1.6e-6 off; at 100 blocks 5.4e-4, eager's 1.7e-4 and
  /// torch.compile's 5.6e-4). A max-pool window whose two largest inputs
  /// are nearer than either rounding routes its gradient by chance, with
  /// any algorithm.
  static int64_t winogradSide(linalg::GenericOp op, int64_t forced) {
    if (forced == 2 || forced == 4)
      return forced;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges(); // n oh ow f | ...
    return fewerProductsSide(ranges[1], ranges[2]);
  }

  /// The tile side (2 or 4) whose Winograd products over an h x w plane
  /// are fewer: (h/2)(w/2) tiles of 16 points against ⌈h/4⌉⌈w/4⌉ of 36.
  static int64_t fewerProductsSide(int64_t h, int64_t w) {
    int64_t small = (h / 2) * (w / 2) * 16;
    int64_t large = ((h + 3) / 4) * ((w + 3) / 4) * 36;
    return large < small ? 4 : 2;
  }

  /// A Winograd conv's step of the transformed products (per image, one
  /// matrix product [tiles, C] x [C, F] per point): `k` registers of output
  /// channels at as many tiles as fit kMaxLaneConvAccumulators beside them
  /// and one broadcast, or more up to kMaxWinogradAccumulators where that
  /// divides the tiles (F(4x4, 3x3)'s 16: 8 x 2 registers, no smaller last
  /// step); of those, a step loading at most kMaxLaneConvLoadsPerFma per
  /// multiply-add first, then the most accumulators (AVX2: 6 tiles x 16
  /// channels; AVX-512: 7 x 32 of 49 tiles). In the lane conv's loops (n,
  /// oh, ow, f | c, i, j): tiles in `ow`'s slot.
  ConfigAttr winogradConfig(linalg::GenericOp op, int64_t side) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t channels = ranges[3];
    int64_t tileCount =
        ((ranges[1] + side - 1) / side) * ((ranges[2] + side - 1) / side);
    int64_t bestK = 1, bestTiles = 1;
    double bestLoads = 0;
    for (int64_t k = 1; k <= kMaxLaneConvLaneRegisters; k *= 2) {
      if (channels % (k * budget.lanes) != 0)
        continue;
      int64_t tiles = std::max<int64_t>(
          1, std::min(kMaxLaneConvAccumulators, budget.registers - k - 1) / k);
      for (int64_t more =
               std::min(kMaxWinogradAccumulators, budget.registers - k - 1) / k;
           more > tiles; --more)
        if (tileCount % more == 0) {
          tiles = more;
          break;
        }
      double loads = double(tiles + k) / double(tiles * k);
      bool fits = loads <= kMaxLaneConvLoadsPerFma;
      bool bestFits = bestLoads != 0 && bestLoads <= kMaxLaneConvLoadsPerFma;
      if (bestLoads == 0 || (fits && !bestFits) ||
          (fits == bestFits && tiles * k > bestTiles * bestK)) {
        bestK = k, bestTiles = tiles, bestLoads = loads;
      }
    }
    SmallVector<int64_t> registers{1, 1, bestTiles, bestK * budget.lanes,
                                   1, 1, 1};
    return config(OpKind::LaneConv, {}, registers, {},
                  side == 4 ? kWinograd4x4 : kWinograd);
  }

  /// Winograd's F(3x3, 2x2) for the weight gradient of a conv that
  /// wantsWinograd would take (3x3, stride 1, even sides of dy, input and
  /// output channels in whole vector registers): 16 multiplies per 2x2 tile
  /// of dy and channel pair instead of 36, on transforms of adds.
  bool wantsWinogradWeightGrad(linalg::GenericOp op,
                               ArrayRef<int64_t> stride) const {
    auto x = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
    auto dy = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
    auto dw = cast<RankedTensorType>(op.getResultTypes()[0]);
    auto known = [](int64_t size) { return !ShapedType::isDynamic(size); };
    return stride[0] == 1 && stride[1] == 1 && dw.hasStaticShape() &&
           dw.getDimSize(2) == 3 && dw.getDimSize(3) == 3 &&
           dw.getDimSize(0) % budget.lanes == 0 &&
           dw.getDimSize(1) % budget.lanes == 0 && known(dy.getDimSize(2)) &&
           known(dy.getDimSize(3)) && known(x.getDimSize(2)) &&
           known(x.getDimSize(3)) && dy.getDimSize(2) % 2 == 0 &&
           dy.getDimSize(3) % 2 == 0 &&
           x.getDimSize(2) >= dy.getDimSize(2) + 2 &&
           x.getDimSize(3) >= dy.getDimSize(3) + 2;
  }

  /// A Winograd weight gradient's step of the transformed products (16 or
  /// 36 products [F, tiles] x [tiles, C] summed over the batch): up to
  /// kBatchLaneRegisters registers of input channels (loads) by the output
  /// channels (broadcasts) that fill half the registers with accumulators
  /// (AVX-512: 8 x 32; AVX2: 4 x 16). In its loops (f, c, i, j | n, h, w).
  /// Its tiles of dy: `forced` (2 or 4) if given, else the side that
  /// multiplies less, as for the convs (fewerProductsSide): 4 at 14 x 14
  /// too, the last tiles reaching past dy (zeros there). (F(3x3, 4x4)
  /// rounds more, as F(4x4, 3x3) does, but a weight gradient decides
  /// nothing: its rounding only moves the update by the learning rate
  /// times that much.) At CIFAR-2's 16 x 16, F(3x3, 4x4) took NetResDeep's
  /// weight gradients from 26% of the step to 20%. At 14 x 14 its
  /// transforms cost more than its products saved (stop 47) until V's and
  /// D's rows held an odd number of tiles (tileRoom): since, NetResDeep's
  /// weight gradient at Fashion-MNIST takes 0.75 of F(3x3, 2x2)'s time.
  ConfigAttr winogradWeightGradConfig(linalg::GenericOp op,
                                      int64_t forced) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t laneRegisters =
        largestDivisor(ranges[1] / budget.lanes, kBatchLaneRegisters);
    int64_t rows = largestDivisor(
        ranges[0], std::max<int64_t>(1, budget.registers / 2 / laneRegisters));
    SmallVector<int64_t> registers(ranges.size(), 1);
    registers[0] = rows;
    registers[1] = laneRegisters * budget.lanes;
    int64_t h = ranges[5], w = ranges[6];
    int64_t side =
        forced == 2 || forced == 4 ? forced : fewerProductsSide(h, w);
    return config(OpKind::BatchContraction, {}, registers, {},
                  side == 4 ? kWinograd4x4 : kWinograd);
  }

  /// A weight gradient's lane: a channel count that fills whole vector
  /// registers, the other one broadcast as the rows (up to `batchRows`, in
  /// at least two row blocks for the threads to share); else the output
  /// columns.
  std::pair<WeightGradLane, int64_t> weightGradLayout(linalg::GenericOp op) const {
    auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
    int64_t o = type.getDimSize(0), c = type.getDimSize(1);
    WeightGradLane lane = WeightGradLane::Columns;
    int64_t other = 0;
    if (c % budget.lanes == 0 && o >= kMinWeightGradRows) {
      lane = WeightGradLane::InputChannels;
      other = o;
    } else if (o % budget.lanes == 0 && c >= kMinWeightGradRows) {
      lane = WeightGradLane::OutputChannels;
      other = c;
    }
    if (lane == WeightGradLane::Columns)
      return {lane, 0};
    int64_t rows = std::min(budget.batchRows, other / kMinThreadBlocks);
    while (other % rows != 0)
      --rows;
    return {lane, rows};
  }

  /// Whether the weight gradient `op` takes the output channels as the
  /// lane and every input channel and filter tap as a row (ChannelLaneConv's
  /// OutputChannelTaps): where neither channel count fills the rows of a
  /// channel lane (a first conv's 1 or 3 input channels), the output
  /// channels fill at least kMinThreadBlocks whole vector registers, and
  /// the taps' accumulators fit beside dy's vector and a broadcast.
  bool wantsOutputChannelTaps(linalg::GenericOp op) const {
    if (weightGradLayout(op).first != WeightGradLane::Columns)
      return false;
    auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
    int64_t o = type.getDimSize(0);
    int64_t taps = type.getDimSize(1) * type.getDimSize(2) * type.getDimSize(3);
    return o % budget.lanes == 0 && o / budget.lanes >= kMinThreadBlocks &&
           taps + 2 <= budget.registers;
  }

  /// The output-channel taps form's configs. Per image (n, lo, c, i, j, l
  /// | oh, ow): a step of one vector of dy's channels, every tap broadcast
  /// from x, an accumulator each. The images' sum (lo, c, i, j, l | n): the
  /// same tile, the threads splitting lo.
  std::pair<ConfigAttr, ConfigAttr>
  outputChannelTapsConfigs(OutputChannelTaps taps) const {
    SmallVector<int64_t> r = taps.perImage.getStaticLoopRanges();
    return {
        config(OpKind::Contraction, {}, {1, 1, r[2], r[3], r[4], r[5], 1, 1}),
        config(OpKind::BatchContraction, {}, {1, r[2], r[3], r[4], r[5], 1},
               {5, 0, 1, 2, 3, 4})};
  }

  /// The config of `op`, or null where the tiling leaves it alone.
  ConfigAttr configFor(linalg::LinalgOp op) const {
    Operation *raw = op.getOperation();
    if (isa<linalg::FillOp>(raw))
      return nullptr;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (isa<linalg::Conv2DNchwFchwOp>(raw)) // (n, f, oh, ow | c, kh, kw)
      return config(OpKind::Conv, imageTiles(ranges, 7),
                    {0, 0, 1, 0, 1, 1, 1});
    if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(raw))
      return config(OpKind::Pool, imageTiles(ranges, 6), {0, 0, 1, 0, 1, 0});
    if (!op.hasPureTensorSemantics())
      return nullptr;
    if (isWindowReduction(op)) // (n, c, oh, ow | i, j)
      return config(OpKind::Pool, imageTiles(ranges, 6), {0, 0, 1, 0, 1, 0});
    if (isContraction(op)) {
      if (reducesBatch(op))
        return config(OpKind::BatchContraction, {}, batchContractionTiles(op),
                      batchOuterOrder(op));
      return config(OpKind::Contraction, {}, contractionTiles(op));
    }
    unsigned loops = op.getNumLoops();
    if (isa<linalg::GenericOp>(raw) && loops == op.getNumParallelLoops()) {
      if (loops == 2)
        return config(OpKind::Elementwise, {}, {});
      if (loops == 4)
        return config(OpKind::Elementwise,
                      isTranspose(cast<linalg::GenericOp>(raw), {0, 3, 1, 2})
                          ? channelsLastCopyTiles(ranges)
                          : imageTiles(ranges, 4),
                      {});
      // An image seen as [C, OH, KH, OW, KW] windows (max_pool2d_grad's):
      // one window row i per tile, its window columns j whole, so the tile
      // writes whole rows of the image.
      if (loops == 6) {
        SmallVector<int64_t> tiles = imageTiles(ranges, 6);
        tiles[3] = 1;
        return config(OpKind::Window, tiles, {});
      }
    }
    return nullptr;
  }

  /// An op that runs channels-last between lane convs (n, h, w, c, and a
  /// pooling's window | kh, kw): one row per tile, the columns that fill
  /// kChannelsLastStepRegisters; a pooling steps one window row at a time.
  ConfigAttr channelsLastConfig(linalg::LinalgOp op) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> tiles(ranges.size(), 0);
    tiles[1] = 1;
    // max_pool2d_grad's scatter (n, oh, i, ow, j, c): one window row of the
    // output row, as many windows as fill kChannelsLastStepRegisters.
    if (ranges.size() == 6 && op.getNumParallelLoops() == 6) {
      tiles[2] = 1;
      tiles[3] = 1;
      if (llvm::none_of(ArrayRef(ranges).drop_front(3), ShapedType::isDynamic))
        tiles[3] = largestDivisor(
            ranges[3],
            std::max<int64_t>(1, kChannelsLastStepRegisters * budget.lanes /
                                     (ranges[4] * ranges[5])));
      return config(OpKind::Window, tiles, {});
    }
    int64_t columns = 1;
    // The first-maximum codes (windows and maxima in): a step of fewer
    // columns, where that divides the row.
    bool codes = isChannelsLastWindowReduction(op) && op.getNumDpsInputs() > 1;
    int64_t stepRegisters =
        codes ? kWindowStepRegisters : kChannelsLastStepRegisters;
    if (!ShapedType::isDynamic(ranges[3]))
      columns = std::max<int64_t>(1, stepRegisters * budget.lanes / ranges[3]);
    if (ShapedType::isDynamic(ranges[2])) {
      tiles[2] = 1;
    } else {
      tiles[2] = largestDivisor(ranges[2], columns);
      if (codes && 2 * tiles[2] <= columns)
        tiles[2] = largestDivisor(ranges[2], 2 * columns);
    }
    if (isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op))
      return config(OpKind::Pool, tiles, {0, 1, 0, 0, 1, 0});
    // A window reduction (n, oh, ow, c | i, j) steps one window element at
    // a time: whole steps of the lanes, where a window row would put its
    // columns innermost in the vector.
    if (isChannelsLastWindowReduction(op))
      return config(OpKind::Pool, tiles, {0, 1, 0, 0, 1, 1});
    return config(OpKind::Elementwise, tiles, {});
  }

  /// A linear layer's forward, x · Wᵀ (maps (n, k), (o, k) -> (n, o)),
  /// reads its weight along the reduction: vectorized so, every step of a
  /// few vectors ends in a horizontal sum (6.5% of the lecture's Net's
  /// inference). Where the outputs fill whole vector registers, the weight
  /// is read transposed instead (copied once per call): the outputs are the
  /// lanes, and a step broadcasts one input element into them.
  bool wantsOutputLanes(linalg::MatmulOp op) const {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2)
      return false;
    MLIRContext *c = op.getContext();
    AffineExpr n = getAffineDimExpr(0, c), o = getAffineDimExpr(1, c),
               k = getAffineDimExpr(2, c);
    SmallVector<AffineMap> linear{AffineMap::get(3, 0, {n, k}, c),
                                  AffineMap::get(3, 0, {o, k}, c),
                                  AffineMap::get(3, 0, {n, o}, c)};
    if (op.getIndexingMapsArray() != linear)
      return false;
    auto weight = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
    return weight.hasStaticShape() && weight.getElementType().isF32() &&
           weight.getDimSize(0) % budget.lanes == 0;
  }

  /// An op over a whole parameter, as one dimension: steps of `flatStep`
  /// elements (a divisor of the size, so every step is a static vector).
  ConfigAttr flatConfig(linalg::GenericOp op) const {
    int64_t size = op.getStaticLoopRanges().front();
    return config(OpKind::Flat, {}, {largestDivisor(size, budget.flatStep)});
  }

  /// A channel-lane conv's register tile: `k` registers of output channels
  /// at `rows` x `columns` output positions (each one broadcast input
  /// value); one input channel and filter tap per step. Where the tile
  /// does not divide the image, the last row or column of tiles is a
  /// smaller step (TileAndFuse peels it). Of the tiles that load at most
  /// kMaxLaneConvLoadsPerFma per multiply-add (a step makes one broadcast a
  /// position and `k` filter loads for positions x k FMAs: with 16
  /// registers, 14 positions x 1 register is load-bound where 2 x 3
  /// positions x 2 is not), the most accumulators per step on average over
  /// the image, the smaller steps at its edges included (eight hide the FMA
  /// latency only just: on Zen 3, NetResDeep's inference on one thread ran
  /// at 84 GFLOP/s with AVX2's 2 x 2 x 16 tile and with 1 x 6 x 16, whose
  /// last 2 of 14 columns are steps of 4 accumulators, and at 92 with
  /// 2 x 3 x 16, of a 98-101 peak; bench/RESULTS.md, stop 31), then fewest
  /// loads, then fewest filter registers (meant to keep a smaller filter
  /// slice in the L1 cache, which with the [KH, KW, C, F] layout it does
  /// not; bench/RESULTS.md, stop 30), then fewest rows.
  ConfigAttr laneConvConfig(linalg::GenericOp op) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges(); // n oh ow f | c i j
    int64_t rowsRange = ranges[1], columnsRange = ranges[2],
            channels = ranges[3];
    struct Tile {
      int64_t rows = 1, columns = 1, k = 1, accumulators = 0;
      double averageAccumulators = 0, loads = 0;
    };
    auto better = [](const Tile &a, const Tile &b) {
      bool aFits = a.loads <= kMaxLaneConvLoadsPerFma;
      bool bFits = b.loads <= kMaxLaneConvLoadsPerFma;
      if (aFits != bFits)
        return aFits;
      if (a.averageAccumulators != b.averageAccumulators)
        return a.averageAccumulators > b.averageAccumulators;
      if (a.loads != b.loads)
        return a.loads < b.loads;
      if (a.k != b.k)
        return a.k < b.k;
      return a.rows < b.rows;
    };
    auto steps = [](int64_t range, int64_t tile) {
      return (range + tile - 1) / tile;
    };
    // Accumulator registers of the whole output, for the average per step.
    double vectors = double(rowsRange * columnsRange * channels) /
                     double(budget.lanes);
    std::optional<Tile> chosen;
    for (int64_t k = 1; k <= kMaxLaneConvLaneRegisters; k *= 2) {
      if (ShapedType::isDynamic(rowsRange) ||
          ShapedType::isDynamic(columnsRange) ||
          channels % (k * budget.lanes) != 0)
        continue;
      // k filter registers and one broadcast beside the accumulators.
      int64_t positions = std::min(kMaxLaneConvAccumulators,
                                   budget.registers - k - 1) / k;
      for (int64_t rows = 1; rows <= std::min(std::max<int64_t>(1, positions),
                                              rowsRange);
           ++rows) {
        int64_t columns =
            std::min(std::max<int64_t>(1, positions / rows), columnsRange);
        double stepCount = double(steps(rowsRange, rows) *
                                  steps(columnsRange, columns) *
                                  (channels / (k * budget.lanes)));
        Tile tile{rows,
                  columns,
                  k,
                  rows * columns * k,
                  vectors / stepCount,
                  double(rows * columns + k) / double(rows * columns * k)};
        if (!chosen || better(tile, *chosen))
          chosen = tile;
      }
    }
    Tile best = chosen.value_or(Tile{});
    SmallVector<int64_t> registers(ranges.size(), 1);
    registers[1] = best.rows;
    registers[2] = best.columns;
    registers[3] = best.k * budget.lanes;
    // With the filter taps of a row innermost, LLVM keeps the input values
    // the taps share (columns + taps - 1 broadcasts of one output row; the
    // next row's are loaded anew) in registers; where they do not fit
    // beside the accumulators, they spill, and the input channel goes
    // innermost instead (no value shared between steps). Measured on
    // NetResDeep: AVX2's 2 x 2 x 16 tile runs 1.2x faster taps innermost
    // (8 + 2 + 4 of 16), AVX2's 1 x 14 x 8 tile (14 + 1 + 16) faster with
    // the input channel innermost.
    int64_t taps = ranges[6];
    int64_t tapsInRegisters =
        best.accumulators + best.k + best.columns + taps - 1;
    if (ShapedType::isDynamic(taps) || tapsInRegisters > budget.registers)
      return config(OpKind::LaneConv, {}, registers, {0, 1, 2, 3, 5, 6, 4});
    return config(OpKind::LaneConv, {}, registers);
  }

private:
  ConfigAttr config(OpKind kind, ArrayRef<int64_t> tiles,
                    ArrayRef<int64_t> registers, ArrayRef<int64_t> order = {},
                    StringRef algorithm = "") const {
    auto array = [&](ArrayRef<int64_t> values) {
      return values.empty() ? DenseI64ArrayAttr()
                            : DenseI64ArrayAttr::get(ctx, values);
    };
    return ConfigAttr::get(ctx, kindName(kind), array(tiles), array(registers),
                           array(order), algorithm);
  }

  /// A copy of an NCHW image into NHWC (a weight gradient's channels-last
  /// input), iterated over (n, h, w, c): one row, a vector's worth of channels,
  /// the row's columns whole (a padded row, 18 or 10 wide, has no divisor
  /// that is a multiple of 4) or a divisor up to four vectors of them. Each
  /// channel's columns are then one contiguous read, transposed in
  /// registers (LowerVector's 4 x 4 blocks) rather than gathered.
  SmallVector<int64_t> channelsLastCopyTiles(ArrayRef<int64_t> ranges) const {
    SmallVector<int64_t> tiles{0, 1, 0, 0};
    if (!ShapedType::isDynamic(ranges[2]) &&
        ranges[2] > kChannelsLastCopyColumns * budget.lanes)
      tiles[2] =
          largestDivisor(ranges[2], kChannelsLastCopyColumns * budget.lanes);
    // Fewer channels than lanes (an RGB image): all of them.
    if (ShapedType::isDynamic(ranges[3]) || ranges[3] >= budget.lanes)
      tiles[3] = channelTileFor(ranges[3], budget.lanes);
    return tiles;
  }

  /// Inside one image: `channelTile` channels by one row.
  SmallVector<int64_t> imageTiles(ArrayRef<int64_t> ranges,
                                  unsigned loops) const {
    SmallVector<int64_t> tiles(loops, 0);
    tiles[1] = channelTileFor(ranges[1], budget.channelTile);
    tiles[2] = 1;
    return tiles;
  }

  /// One step of a contraction multiplies a vector of `reductionTile`
  /// elements at most and sums it into its outputs: the innermost reductions
  /// whole up to that size (stepping through the rest), then as many of the
  /// innermost outputs as still fit. Every step is then a few registers,
  /// whatever the layer's size; whole layers as one vector (a linear
  /// layer's 144 x 32 input gradient) unroll into thousands of shuffles.
  /// None where a reduction is dynamic.
  SmallVector<int64_t> contractionTiles(linalg::LinalgOp op) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<int64_t> sizes(ranges.size(), 0);
    int64_t kept = 1;
    bool full = false;
    // A loop's step: whole while the step still fits, then the largest
    // divisor that does, then 1.
    auto fit = [&](int64_t range) -> int64_t {
      bool known = !ShapedType::isDynamic(range);
      if (!full && known && kept * range <= budget.reductionTile) {
        kept *= range;
        return 0;
      }
      int64_t tile = 1;
      if (!full && known) {
        tile = largestDivisor(range, budget.reductionTile / kept);
        kept *= tile;
      }
      full = true;
      return tile;
    };
    int64_t last = ranges.size() - 1;
    int64_t innermostOutput = last;
    while (innermostOutput >= 0 && isReduction(iters[innermostOutput]))
      --innermostOutput;
    for (int64_t r = last; r > innermostOutput; --r)
      if (ShapedType::isDynamic(ranges[r]))
        return {};
    auto fitReductions = [&] {
      for (int64_t r = last; r > innermostOutput; --r)
        sizes[r] = fit(ranges[r]);
    };
    // The outputs of one step, innermost first.
    auto fitOutputs = [&] {
      for (int64_t o = innermostOutput; o >= 0; --o)
        sizes[o] = fit(ranges[o]);
    };
    if (readsReductionAcrossOutputs(op, innermostOutput)) {
      // The outputs first: the vectors run along them, one reduction step
      // at a time (each a broadcast of the other operand).
      fitOutputs();
      full = true;
      fitReductions();
    } else {
      fitReductions();
      full = false;
      fitOutputs();
    }
    return sizes;
  }

  /// Whether an input of `op` runs along its innermost output dimension
  /// and reads a reduction across it (a linear layer's input gradient,
  /// dx = dy · W with W [O, C·H·W]): its reduction is strided, and a step
  /// vectorized along the reduction would gather every element (36% of
  /// NetWidth's training step at the CIFAR-2 shape on one thread).
  static bool readsReductionAcrossOutputs(linalg::LinalgOp op,
                                          int64_t innermostOutput) {
    if (innermostOutput < 0)
      return false;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.getNumResults() == 0)
        continue;
      auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
      if (!last || int64_t(last.getPosition()) != innermostOutput)
        continue;
      for (AffineExpr e : map.getResults().drop_back())
        if (auto dim = dyn_cast<AffineDimExpr>(e);
            dim && int64_t(dim.getPosition()) > innermostOutput)
          return true;
    }
    return false;
  }

  /// A contraction over the (dynamic) batch: a weight gradient, or a sum
  /// whose last parallel dimension is a lane (LinalgBuilders' laneSum). One
  /// sample and one step of every other reduction per tile; the register
  /// tile is the last two parallel dimensions, `batchRows` rows by a
  /// divisor of the last range up to `batchLanes` columns. The other
  /// parallel dimensions go one by one, outside the reductions, so the
  /// accumulator tile stays in registers across the batch.
  SmallVector<int64_t> batchContractionTiles(linalg::LinalgOp op) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<int64_t> sizes(ranges.size(), 1);
    SmallVector<unsigned> parallelDims;
    for (auto [d, it] : llvm::enumerate(iters))
      if (isParallel(it))
        parallelDims.push_back(d);
    size_t numParallel = parallelDims.size();
    if (numParallel >= 1) {
      unsigned last = parallelDims[numParallel - 1];
      sizes[last] = ShapedType::isDynamic(ranges[last])
                        ? 1
                        : largestDivisor(ranges[last], budget.batchLanes);
    }
    if (numParallel >= 2) {
      // Several results (a batchnorm's two sums), or f64 ones, take more
      // registers a row: fewer rows keep the tile in registers.
      int64_t width = 0;
      for (Type type : op->getResultTypes())
        width += std::max<int64_t>(
            1, getElementTypeOrSelf(type).getIntOrFloatBitWidth() / 32);
      unsigned rows = parallelDims[numParallel - 2];
      sizes[rows] =
          ShapedType::isDynamic(ranges[rows])
              ? 1
              : channelTileFor(ranges[rows],
                               std::max<int64_t>(1, budget.batchRows / width));
    }
    if (numParallel >= 3)
      widenOverOuterDim(op, parallelDims, sizes);
    return sizes;
  }

  /// A batch contraction whose rows are few (a column-lane weight
  /// gradient's 1 or 3 input channels: 2 accumulators of 16 registers,
  /// two loads an FMA) takes more rows from its outer dimension (the
  /// output channels), where that dimension is a plain index of every
  /// operand that reads it: of the tiles of at most kMaxBatchAccumulatorShare
  /// of the registers as accumulators, the fewest loads per FMA, then the most
  /// accumulators, then the widest lane. (An operand reads one vector per lane
  /// register and row of its own: x once per input channel, dy once per output
  /// channel.) The threads then step the outer dimension by as many, in at
  /// least kMinThreadBlocks steps.
  void widenOverOuterDim(linalg::LinalgOp op, ArrayRef<unsigned> parallelDims,
                         SmallVectorImpl<int64_t> &sizes) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned outer = parallelDims.front();
    unsigned rowDim = parallelDims[parallelDims.size() - 2];
    unsigned laneDim = parallelDims.back();
    if (ShapedType::isDynamic(ranges[outer]) ||
        ShapedType::isDynamic(ranges[rowDim]) ||
        ShapedType::isDynamic(ranges[laneDim]) ||
        ranges[laneDim] < budget.lanes)
      return;
    // Which dims each input reads; the outer one only as a plain index.
    SmallVector<std::array<bool, 3>> reads;
    for (OpOperand *input : op.getDpsInputOperands()) {
      std::array<bool, 3> uses{false, false, false};
      for (AffineExpr e : op.getMatchingIndexingMap(input).getResults()) {
        if (e.isFunctionOfDim(outer) && !isa<AffineDimExpr>(e))
          return;
        std::array<unsigned, 3> dims{outer, rowDim, laneDim};
        for (int i = 0; i < 3; ++i)
          uses[i] = uses[i] || e.isFunctionOfDim(dims[i]);
      }
      reads.push_back(uses);
    }
    auto maxAccumulators =
        int64_t(double(budget.registers) * kMaxBatchAccumulatorShare);
    auto loadsPerFma = [&](int64_t outerRows, int64_t rows,
                           int64_t laneRegisters) {
      int64_t loads = 0;
      for (auto [readsOuter, readsRows, readsLane] : reads)
        loads += (readsOuter ? outerRows : 1) * (readsRows ? rows : 1) *
                 (readsLane ? laneRegisters : 1);
      return double(loads) / double(outerRows * rows * laneRegisters);
    };
    // Widened only where that loads less per FMA (a sum's every
    // accumulator reads a vector of its own, however it is tiled).
    int64_t bestOuter = sizes[outer], bestRows = sizes[rowDim],
            bestLane = sizes[laneDim];
    double bestLoads =
        loadsPerFma(1, bestRows, std::max<int64_t>(1, bestLane / budget.lanes));
    int64_t bestAccumulators = 0;
    for (int64_t laneRegisters = 1; laneRegisters <= kBatchLaneRegisters;
         ++laneRegisters) {
      // A lane tile that does not divide the columns (Fashion-MNIST's 28)
      // leaves a smaller last step, peeled off by the tiling.
      int64_t lane = laneRegisters * budget.lanes;
      if (lane > ranges[laneDim])
        continue;
      for (int64_t rows = 1; rows <= std::min(ranges[rowDim], budget.batchRows);
           ++rows)
        for (int64_t outerRows = 1;
             outerRows <= ranges[outer] / kMinThreadBlocks; ++outerRows) {
          if (ranges[rowDim] % rows != 0 || ranges[outer] % outerRows != 0)
            continue;
          int64_t accumulators = outerRows * rows * laneRegisters;
          if (accumulators > maxAccumulators)
            continue;
          double perFma = loadsPerFma(outerRows, rows, laneRegisters);
          bool better =
              perFma < bestLoads ||
              (perFma == bestLoads && bestAccumulators > 0 &&
               (accumulators > bestAccumulators ||
                (accumulators == bestAccumulators && lane > bestLane)));
          if (better) {
            bestOuter = outerRows, bestRows = rows, bestLane = lane;
            bestLoads = perFma, bestAccumulators = accumulators;
          }
        }
    }
    if (bestOuter == 1)
      return;
    sizes[outer] = bestOuter;
    sizes[rowDim] = bestRows;
    sizes[laneDim] = bestLane;
  }

  /// The loop order of a batch contraction's register tiles: the sample
  /// outermost, then every other loop in order. Every tile then reads one
  /// sample's tensors (tens of KB) from cache, where with the sample inside
  /// each tile would stream the whole batch from memory; the price, an
  /// accumulator tile loaded and stored once per sample, is small.
  /// A weight gradient over image rows and columns with several parallel
  /// loops (channels-last, [F/r, KH, KW, r, C]) also takes the image rows
  /// outside all but the first parallel loop (the threads'): one row of dy
  /// and the KH rows of x it meets stay in the L1 cache while every tile
  /// passes over them, where each tile would stream the whole sample (57 KB
  /// at 32 channels and 16 x 16) from L2. The accumulators, loaded and
  /// stored once per row, stay in L1 (NetResDeep's step: 4% faster on one
  /// Zen 3 thread).
  SmallVector<int64_t> batchOuterOrder(linalg::LinalgOp op) const {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<int64_t> order, parallel, reductions;
    for (auto [d, range] : llvm::enumerate(ranges))
      (isReduction(iters[d]) && ShapedType::isDynamic(range)
           ? order
           : (isReduction(iters[d]) ? reductions : parallel))
          .push_back(int64_t(d));
    if (reductions.size() >= 2 && parallel.size() >= 3) {
      order.push_back(parallel.front());
      order.append(reductions.begin(), reductions.end() - 1);
      order.append(parallel.begin() + 1, parallel.end());
      order.push_back(reductions.back());
      return order;
    }
    order.append(parallel);
    order.append(reductions);
    return order;
  }

  MLIRContext *ctx;
  Budget budget;
};

} // namespace

namespace cnnc::cpu {

int64_t maxVectorElements(const TargetInfo &info) {
  return kMaxVectorRegisters * info.f32Lanes();
}

int64_t copyPieceElements(const TargetInfo &info) {
  return kCopyPieceRegisters * info.f32Lanes();
}

} // namespace cnnc::cpu

namespace {

/// `op`'s region is `yield(addf(arg0, arg1))` (or arg1, arg0) over two
/// inputs and one init, all at the identity: an elementwise sum.
bool isElementwiseSum(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues().size() == 1
                 ? yield.getValues()[0].getDefiningOp<arith::AddFOp>()
                 : nullptr;
  if (!add || &body.front() != add.getOperation())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (add.getLhs() == a && add.getRhs() == b) ||
         (add.getLhs() == b && add.getRhs() == a);
}

/// A weight gradient from zeros whose only reader adds it to a running
/// total (a shared block's, in the backward pass's loop over its uses)
/// starts from that total instead: its lowering then adds its taps to its
/// initial values in its own parallel loop, and the total's separate add
/// (a region of its own each use) goes. total + taps rounds the same
/// either way.
void startFromTotal(RewriterBase &rewriter, linalg::GenericOp grad,
                    DominanceInfo &dominance) {
  Value result = grad->getResult(0);
  auto fill = grad.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!result.hasOneUse() || !fill ||
      !matchPattern(fill.value(), m_AnyZeroFloat()))
    return;
  auto sum = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!sum || !isElementwiseSum(sum))
    return;
  Value total = sum.getDpsInputs()[0] == result ? sum.getDpsInputs()[1]
                                                : sum.getDpsInputs()[0];
  if (total.getType() != result.getType() || total == result ||
      !dominance.properlyDominates(total, grad))
    return;
  rewriter.modifyOpInPlace(grad,
                           [&] { grad.getDpsInitsMutable()[0].assign(total); });
  rewriter.replaceOp(sum, result);
  if (fill->use_empty())
    rewriter.eraseOp(fill);
}

struct CpuStrategyPass
    : cnnc::cpu::impl::CpuStrategyBase<CpuStrategyPass> {
  using CpuStrategyBase::CpuStrategyBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<TargetInfo> info =
        targetInfoForPass(ctx, getArgument(), cpu, features);
    if (failed(info))
      return failure();
    target = *info;
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    Strategy strategy(&getContext(), target);

    // Layouts first: convolutions whose channels fill vector registers
    // become channels-last generics.
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (conv.hasPureTensorSemantics() && strategy.wantsChannelLanes(conv))
        convs.push_back(conv);
    });
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      bool winograd = this->winograd && strategy.wantsWinograd(conv);
      linalg::GenericOp laneConv = rewriteAsChannelLaneConv(rewriter, conv);
      setConfig(laneConv, winograd ? strategy.winogradConfig(
                                         laneConv, Strategy::winogradSide(
                                                       laneConv, winogradTile))
                                   : strategy.laneConvConfig(laneConv));
    }

    // Weight gradients: channels or output columns as the lane.
    DominanceInfo dominance(func);
    SmallVector<linalg::GenericOp> weightGrads, tapCandidates;
    func.walk([&](linalg::GenericOp op) {
      if (weightGradStrides(op))
        weightGrads.push_back(op);
    });
    for (linalg::GenericOp op : weightGrads) {
      std::array<int64_t, 2> stride = *weightGradStrides(op);
      if (this->winograd && strategy.wantsWinogradWeightGrad(op, stride)) {
        linalg::GenericOp grad =
            rewriteAsChannelsLastWeightGrad(rewriter, op, stride);
        setConfig(grad, strategy.winogradWeightGradConfig(grad, winogradTile));
        startFromTotal(rewriter, grad, dominance);
        continue;
      }
      // Decided once the activations' layouts are: where dy comes
      // channels-last.
      if (strategy.wantsOutputChannelTaps(op)) {
        op->setAttr(kChannelsLastDyMark, rewriter.getUnitAttr());
        tapCandidates.push_back(op);
        continue;
      }
      auto [lane, rows] = strategy.weightGradLayout(op);
      rewriteWeightGrad(rewriter, op, stride, lane, rows);
    }

    // Activations between those convs stay channels-last.
    if (failed(propagateChannelsLast(func)))
      return signalPassFailure();
    func.walk([&](linalg::LinalgOp op) {
      if (op->removeAttr(kChannelsLastMark))
        setConfig(op, strategy.channelsLastConfig(op));
    });
    for (linalg::GenericOp op : tapCandidates) {
      op->removeAttr(kChannelsLastDyMark);
      std::array<int64_t, 2> stride = *weightGradStrides(op);
      if (channelsLastSource(op.getDpsInputs()[1])) {
        OutputChannelTaps taps =
            rewriteAsOutputChannelTaps(rewriter, op, stride, target.f32Lanes());
        auto [perImage, sum] = strategy.outputChannelTapsConfigs(taps);
        setConfig(taps.perImage, perImage);
        setConfig(taps.sum, sum);
        continue;
      }
      auto [lane, rows] = strategy.weightGradLayout(op);
      rewriteWeightGrad(rewriter, op, stride, lane, rows);
    }
    // Winograd's input tiles are read a vector of channels at a time: a
    // conv whose input stayed NCHW (the training step's, after a batchnorm
    // that needs the whole batch, and its input gradients) reads a
    // channels-last copy of it, made image by image.
    func.walk([&](linalg::GenericOp op) {
      if (isWinogradConv(op) && !readsChannelsLast(op))
        readChannelsLastCopy(rewriter, op);
    });

    // Max poolings left NCHW: reductions over their windows' rows.
    SmallVector<linalg::PoolingNchwMaxOp> nchwPools;
    func.walk(
        [&](linalg::PoolingNchwMaxOp pool) { nchwPools.push_back(pool); });
    for (linalg::PoolingNchwMaxOp pool : nchwPools)
      rewriteAsWindowMaxima(rewriter, pool);

    // Sums over the batch and the image: split by image column, the lanes
    // (NCHW), or by image (channels-last: the channels are the lanes).
    SmallVector<std::pair<linalg::GenericOp, unsigned>> sums, channelSums;
    func.walk([&](linalg::GenericOp op) {
      if (std::optional<unsigned> image = imageLoop(op))
        channelSums.push_back({op, *image});
      else if (std::optional<unsigned> lane = laneLoop(op))
        sums.push_back({op, *lane});
    });
    for (auto [op, lane] : sums)
      splitByLane(rewriter, op, lane);
    for (auto [op, image] : channelSums)
      splitByImage(rewriter, op, image);

    // Ops over whole parameters: one loop of vector steps each.
    SmallVector<linalg::GenericOp> wholeTensorOps;
    func.walk([&](linalg::GenericOp op) {
      if (!getConfig(op) && isWholeTensorOp(op))
        wholeTensorOps.push_back(op);
    });
    for (linalg::GenericOp op : wholeTensorOps) {
      linalg::GenericOp flat = flatten(rewriter, op);
      setConfig(flat, strategy.flatConfig(flat));
    }

    // Linear layers' forward: the weight transposed, the outputs the lanes.
    SmallVector<linalg::MatmulOp> linears;
    func.walk([&](linalg::MatmulOp op) {
      if (strategy.wantsOutputLanes(op))
        linears.push_back(op);
    });
    for (linalg::MatmulOp op : linears) {
      Location loc = op.getLoc();
      Value weight = op.getDpsInputs()[1];
      auto type = cast<RankedTensorType>(weight.getType());
      rewriter.setInsertionPoint(op);
      Value empty = tensor::EmptyOp::create(
          rewriter, loc, {type.getDimSize(1), type.getDimSize(0)},
          type.getElementType());
      Value transposed =
          linalg::TransposeOp::create(rewriter, loc, weight, empty,
                                      ArrayRef<int64_t>{1, 0})
              ->getResult(0);
      auto matmul = linalg::MatmulOp::create(
          rewriter, loc, op.getResultTypes(),
          ValueRange{op.getDpsInputs()[0], transposed}, op.getDpsInits());
      rewriter.replaceOp(op, matmul->getResults());
    }

    // Then every other op's kind and tiles.
    func.walk([&](linalg::LinalgOp op) {
      if (getConfig(op))
        return;
      if (ConfigAttr config = strategy.configFor(op))
        setConfig(op, config);
    });
  }

  TargetInfo target;
};

} // namespace
