//===- Graph.h - a model after semantic analysis ----------------*- C++ -*-===//
//
// What Sema hands to MLIRGen: every model parameter evaluated, every block
// instantiated and inlined, every tensor shape known. Parameters and buffers
// appear once each under their PyTorch state_dict name; a shared block's
// tensors are referenced by each of its uses, a distinct block's are not.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPH_H
#define CNNC_FRONTEND_GRAPH_H

#include "llvm/Support/SMLoc.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

/// How a tensor's initial value is drawn, already resolved from the model's
/// declared initializer or PyTorch's default (kaiming-uniform a=sqrt(5) etc.).
struct Init {
  enum Kind { Uniform, Normal, Constant } kind = Constant;
  double a = 0; ///< Uniform: low;  Normal: mean; Constant: value.
  double b = 0; ///< Uniform: high; Normal: std.
};

/// A parameter (trained) or buffer (batchnorm running statistics).
struct TensorDecl {
  std::string name;           ///< state_dict name, e.g. "resblocks.0.conv.weight"
  std::vector<int64_t> shape; ///< full shape; {} for a scalar
  bool isBuffer = false;
  bool isInteger = false;     ///< num_batches_tracked: an int64 scalar
  Init init;
  llvm::SMLoc loc;            ///< the layer declaration that made it
};

enum class NodeKind {
  Input, Conv2d, BatchNorm2d, Dropout, Dropout2d, MaxPool2d, AvgPool2d,
  Linear, Relu, Tanh, Sigmoid, Flatten, Add
};

/// One op of the forward graph. Shapes exclude the (dynamic) batch dimension.
struct Node {
  NodeKind kind = NodeKind::Input;
  std::vector<unsigned> inputs; ///< ids of earlier nodes

  // Indices into Graph::tensors, -1 where absent. Conv2d/Linear: weight,
  // bias. BatchNorm2d: weight, bias (absent when affine=false), runningMean,
  // runningVar, numBatchesTracked.
  int weight = -1, bias = -1;
  int runningMean = -1, runningVar = -1, numBatchesTracked = -1;

  std::array<int64_t, 2> kernel{0, 0}, stride{1, 1}, padding{0, 0};
  double p = 0;                      ///< Dropout/Dropout2d probability
  double eps = 1e-5, momentum = 0.1; ///< BatchNorm2d
  unsigned dropoutSite = 0;          ///< ordinal among dropout nodes, in order

  std::vector<int64_t> shape; ///< output shape, batch excluded
  llvm::SMLoc loc;            ///< the call or operator in the source
  std::string scope;          ///< module path of the layer ("resblocks.3.conv"),
                              ///< empty for functional ops such as relu(x)
};

/// A block applied several times in a row: `shared(n * B)` (the same
/// tensors each time) or `sequential(n * B)` (n blocks of their own). The
/// graph holds every application inlined; this record lets MLIRGen compile
/// the block once, as a loop. Iteration k's nodes are the
/// `nodesPerIteration` from `first + k * nodesPerIteration` on, and its
/// result is the one at `resultOffset` among them.
struct Repeat {
  unsigned input = 0; ///< the node iteration 0 reads
  unsigned first = 0, nodesPerIteration = 0, resultOffset = 0;
  unsigned count = 0;
  bool shared = false;
  std::string scope; ///< the repetition's module path ("resblocks")
  llvm::SMLoc loc;   ///< the call that applies it
};

struct TrainConfig {
  enum class Penalty { None, L1, L2 };
  double lr = 1e-2, momentum = 0, dampening = 0, weightDecay = 0;
  bool nesterov = false;
  Penalty penalty = Penalty::None;
  double lambda = 0;
  int64_t epochs = 10, batchSize = 64, seed = 0;
};

struct Graph {
  std::string name;                 ///< the model's name
  std::string file;                 ///< the source file's path
  std::vector<std::pair<std::string, std::string>> hyperparams; ///< resolved model parameters, in order, printed
  std::vector<TensorDecl> tensors;  ///< in state_dict order
  std::vector<Node> nodes;          ///< topological; nodes[0] is the Input
  unsigned output = 0;              ///< the node forward returns
  std::vector<Repeat> repeats;      ///< in order of their first node
  TrainConfig train;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_GRAPH_H
