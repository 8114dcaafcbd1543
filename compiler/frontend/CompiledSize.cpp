//===- CompiledSize.cpp - how much code a model compiles to ---------------===//

#include "frontend/CompiledSize.h"

#include "frontend/Sema.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace cnnc {

namespace {

/// Whether every iteration of `r` has iteration 0's kinds and shapes.
bool alike(const Graph &g, const Repeat &r) {
  for (unsigned k = 1; k < r.count; ++k)
    for (unsigned j = 0; j < r.nodesPerIteration; ++j) {
      const Node &a = g.nodes[r.first + j];
      const Node &b = g.nodes[r.first + k * r.nodesPerIteration + j];
      if (a.kind != b.kind || a.shape != b.shape)
        return false;
    }
  return true;
}

bool hasDropout(const Graph &g, const Repeat &r) {
  for (unsigned j = 0; j < r.nodesPerIteration; ++j) {
    NodeKind kind = g.nodes[r.first + j].kind;
    if (kind == NodeKind::Dropout || kind == NodeKind::Dropout2d)
      return true;
  }
  return false;
}

} // namespace

std::vector<const Repeat *> outermostFirst(const Graph &g) {
  std::vector<const Repeat *> order;
  for (const Repeat &r : g.repeats)
    order.push_back(&r);
  llvm::stable_sort(order, [](const Repeat *a, const Repeat *b) {
    return a->first != b->first
               ? a->first < b->first
               : a->nodesPerIteration * a->count >
                     b->nodesPerIteration * b->count;
  });
  return order;
}

std::vector<const Repeat *> compiledLoops(const Graph &g) {
  std::vector<const Repeat *> loops;
  unsigned coveredEnd = 0;
  for (const Repeat *r : outermostFirst(g)) {
    if (r->first < coveredEnd || !alike(g, *r))
      continue;
    coveredEnd = r->first + r->nodesPerIteration * r->count;
    if (!hasDropout(g, *r))
      loops.push_back(r);
  }
  return loops;
}

std::optional<unsigned> compiledSizeExceeded(const Graph &g, uint64_t limit) {
  std::vector<const Repeat *> loops = compiledLoops(g);
  uint64_t size = 0;
  auto loop = loops.begin();
  for (unsigned i = 0; i < g.nodes.size(); ++i) {
    // A loop's iterations after the first are the same code again.
    if (loop != loops.end() && i == (*loop)->first + (*loop)->nodesPerIteration) {
      i = (*loop)->first + (*loop)->nodesPerIteration * (*loop)->count - 1;
      ++loop;
      continue;
    }
    switch (g.nodes[i].kind) {
    case NodeKind::Input:
      continue;
    case NodeKind::Conv2d:
      size += limits::convCompiledSize;
      break;
    default:
      size += 1;
    }
    if (size > limit)
      return i;
  }
  return std::nullopt;
}

} // namespace cnnc
