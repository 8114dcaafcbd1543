//===- frontend_fuzzer.cpp - The front end on arbitrary model files -------===//
//
// What `cnnc FILE --emit=graph` runs: the lexer, the parser and Sema on the
// bytes as a model file, then the printers of the AST and the graph. Errors
// are expected (most inputs are not models); a crash, a sanitizer report or
// a hang is a bug. The diagnostics go to a null stream.
//
//===----------------------------------------------------------------------===//
#include "frontend/ASTPrinter.h"
#include "frontend/Diagnostics.h"
#include "frontend/GraphPrinter.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.cnn"),
                        llvm::SMLoc());
  llvm::raw_null_ostream null;
  cnnc::Diagnostics diag(sm, null);
  cnnc::File file = cnnc::parseFile(
      sm.getMemoryBuffer(sm.getMainFileID())->getBuffer(), diag);
  if (diag.errorCount())
    return 0;
  cnnc::printAST(file, sm, null);
  cnnc::Graph graph = cnnc::analyze(file, "fuzz.cnn", {}, diag);
  if (diag.errorCount())
    return 0;
  cnnc::printGraph(graph, sm, null);
  return 0;
}
