//===- Sema.cpp - elaboration, shapes and checks ---------------------------===//
//
// Sema runs the model the way PyTorch would construct and trace it, but with
// shapes only: each layer declaration is instantiated (creating its tensors in
// state_dict order), then forward is evaluated symbolically from the input
// shape, inlining block forwards and adding one Node per op.
//
//===----------------------------------------------------------------------===//
#include "frontend/Sema.h"

#include "frontend/CompiledSize.h"
#include "frontend/ExprEval.h"
#include "frontend/Initializers.h"
#include "frontend/LayerCatalog.h"
#include "frontend/Signature.h"

#include "cnn/ShapeRules.h"

#include "llvm/ADT/StringMap.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>

using namespace cnnc;
namespace shape = cnn::shape;

namespace {

struct Instance;

/// A module member after construction: a built-in layer with its tensors, a
/// block instance, or a repetition of either.
struct Layer {
  enum Kind { Prim, Block, Repeat } kind = Prim;
  std::string name;  ///< member name, for messages
  llvm::SMLoc loc;   ///< the declaration
  bool used = false;

  // Prim: the node every call of this layer copies, its catalogue entry and
  // its evaluated arguments (the sizes its shape rule reads).
  Node tmpl;
  const LayerSpec *spec = nullptr;
  LayerArgs args;
  // Block
  std::unique_ptr<Instance> inst;
  // Repeat: shared repeats hold the same element n times.
  std::vector<std::unique_ptr<Layer>> owned;
  std::vector<Layer *> elems;
};

/// A constructed block (or the model itself): parameters and members.
struct Instance {
  const ModuleDecl *decl = nullptr;
  ConstEnv env; ///< parameters; members are marked as non-constants
  std::vector<std::unique_ptr<Layer>> members;
  llvm::StringMap<Layer *> byName; ///< null for a member that failed
  bool used = false;
};

/// The state of one forward evaluation (the model's or an inlined block's).
struct Fwd {
  Instance &inst;
  std::string scope; ///< node scope prefix of this instance's members
  llvm::StringMap<std::optional<unsigned>> locals; ///< nullopt: failed
  ConstEnv env;      ///< params, with locals marked as non-constants
  Fwd(Instance &inst, std::string scope)
      : inst(inst), scope(std::move(scope)), env(&inst.env) {}
};

/// The built-in usable as `name = layer(...)`, or null.
const LayerSpec *findPrimLayer(llvm::StringRef name) {
  const LayerSpec *spec = findLayer(name);
  return spec && spec->asLayer ? spec : nullptr;
}

bool isIn(const std::vector<std::string> &v, llvm::StringRef s) {
  for (const std::string &x : v)
    if (x == s)
      return true;
  return false;
}

std::string join(const std::string &prefix, llvm::StringRef name) {
  return prefix.empty() ? name.str() : prefix + "." + name.str();
}

/// Product of dims, or -1 past limits::maxElements (overflow-safe).
int64_t elements(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n) || n > limits::maxElements)
      return -1;
  return n;
}

class Sema {
public:
  Sema(const File &file, Diagnostics &diag) : file(file), diag(diag) {}
  Graph run(llvm::StringRef filename, llvm::ArrayRef<Override> overrides);

private:
  // Declarations.
  const ModuleDecl *collect();
  void checkDecl(const ModuleDecl &m);
  void modelParams(const ModuleDecl &m, llvm::ArrayRef<Override> overrides,
                   ConstEnv &env);
  std::optional<Const> parseOverride(const Override &ov,
                                     const std::optional<Const> &def);

  // Construction.
  void instantiateMembers(Instance &inst, const std::string &prefix);
  std::unique_ptr<Layer> makeLayer(const Expr &e, const std::string &path,
                                   const ConstEnv &env);
  std::unique_ptr<Layer> makePrim(const Expr &call, const LayerSpec &spec,
                                  const std::string &path, const ConstEnv &env);
  std::unique_ptr<Layer> makeBlock(const Expr &call, const ModuleDecl &decl,
                                   const std::string &path,
                                   const ConstEnv &env);
  std::unique_ptr<Layer> makeRepeat(const Expr &call, const std::string &path,
                                    const ConstEnv &env);
  int addTensor(const std::string &name, std::vector<int64_t> shape,
                bool isBuffer, Init init, llvm::SMLoc loc);
  bool initTensor(int idx, const Expr *spec, const ConstEnv &env);

  // Forward.
  std::optional<unsigned> apply(Layer &l, unsigned x, llvm::SMLoc callLoc,
                                const std::string &scope);
  std::optional<unsigned> runForward(Instance &inst, unsigned x,
                                     const std::string &scope);
  std::optional<unsigned> evalTensor(const Expr &e, Fwd &f);
  std::optional<unsigned> evalCall(const Expr &e, Fwd &f);
  std::optional<unsigned> evalFunctional(const Expr &e, const LayerSpec &spec,
                                         Fwd &f);
  std::optional<unsigned> evalView(const Expr &e, const LayerSpec &spec,
                                   Fwd &f);
  std::optional<unsigned> addNode(Node n, const shape::Result &r);
  void warnUnused(Instance &inst);
  void checkCompiledSize();

  // Training.
  void train(const TrainDecl &t, const ConstEnv &env);

  const File &file;
  Diagnostics &diag;
  Graph g;
  llvm::StringMap<const ModuleDecl *> blocks;
  std::vector<const ModuleDecl *> instStack; ///< blocks being constructed
  unsigned dropoutSites = 0;
  bool aborted = false; ///< a size limit was hit: stop everything
};

} // namespace

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

const ModuleDecl *Sema::collect() {
  const ModuleDecl *model = nullptr;
  llvm::StringMap<const ModuleDecl *> seen;
  for (const auto &m : file.modules) {
    const char *what = m->isModel ? "model" : "block";
    if (!m->isModel && (findLayer(m->name) || m->name == "shared" ||
                        m->name == "sequential")) {
      diag.error(m->loc, "block '" + m->name + "' has the name of a built-in");
      continue;
    }
    auto [it, fresh] = seen.try_emplace(m->name, m.get());
    if (!fresh) {
      diag.error(m->loc, llvm::Twine(what) + " '" + m->name +
                             "' is already declared");
      diag.note(it->second->loc, "previous declaration is here");
      continue;
    }
    if (m->isModel) {
      if (model) {
        diag.error(m->loc, "a file declares one model; '" + model->name +
                               "' is already declared");
        diag.note(model->loc, "model '" + model->name + "' is declared here");
        continue;
      }
      model = m.get();
    } else {
      blocks[m->name] = m.get();
    }
    checkDecl(*m);
  }
  if (file.trains.size() > 1) {
    diag.error(file.trains[1]->loc, "a file has at most one train section");
    diag.note(file.trains[0]->loc, "the first train section is here");
  }
  return model;
}

void Sema::checkDecl(const ModuleDecl &m) {
  const char *what = m.isModel ? "model" : "block";
  llvm::StringMap<llvm::SMLoc> names;
  for (const Param &p : m.params) {
    auto [it, fresh] = names.try_emplace(p.name, p.loc);
    if (!fresh) {
      diag.error(p.loc, "duplicate parameter '" + p.name + "'");
      diag.note(it->second, "previous declaration is here");
    }
  }
  for (const Assign &a : m.members) {
    auto [it, fresh] = names.try_emplace(a.name, a.loc);
    if (!fresh) {
      diag.error(a.loc, "'" + a.name + "' is already declared in " + what +
                            " '" + m.name + "'");
      diag.note(it->second, "previous declaration is here");
    }
  }
  if (!m.forward)
    diag.error(m.loc, llvm::Twine(what) + " '" + m.name + "' has no forward");
  if (m.isModel && !m.inputLoc.isValid())
    diag.error(m.loc, "model '" + m.name +
                          "' has no input declaration; add one such as "
                          "'input [3, 32, 32]'");
}

std::optional<Const> Sema::parseOverride(const Override &ov,
                                         const std::optional<Const> &def) {
  std::string flag = "-D " + ov.name + "=" + ov.value;
  llvm::StringRef text = ov.value;
  std::optional<Const> v;
  if (text == "true" || text == "false") {
    v = Const::ofBool(text == "true");
  } else if (!text.empty() &&
             text.find_first_not_of("0123456789+-.eE") == llvm::StringRef::npos) {
    // An integer: a sign, then digits as Python writes them (no leading 0).
    llvm::StringRef digits = text;
    if (digits.starts_with("+") || digits.starts_with("-"))
      digits = digits.drop_front();
    bool integer = !digits.empty() &&
                   digits.find_first_not_of("0123456789") == llvm::StringRef::npos;
    if (integer && digits.size() > 1 && digits.front() == '0') {
      diag.error({}, flag + ": an integer does not start with 0 (as in "
                            "Python); write " +
                         (text.front() == '-' ? "-" : "") +
                         (digits.ltrim('0').empty() ? std::string("0")
                                                    : digits.ltrim('0').str()));
      return std::nullopt;
    }
    long long i = 0;
    if (integer) {
      std::string s = text.str();
      errno = 0;
      i = std::strtoll(s.c_str(), nullptr, 10);
      if (errno == ERANGE) {
        diag.error({}, flag + ": integer value is too large");
        return std::nullopt;
      }
      v = Const::ofInt(i);
    } else if (text.find_first_of(".eE") != llvm::StringRef::npos) {
      std::string s = text.str();
      char *end = nullptr;
      errno = 0;
      double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size() && errno == 0 && std::isfinite(d))
        v = Const::ofFloat(d);
    }
  }
  if (!v) {
    diag.error({}, flag + ": '" + ov.value +
                       "' is not an integer, a float, true or false");
    return std::nullopt;
  }
  if (!def)
    return v;
  if (def->kind == Const::Float && v->kind == Const::Int)
    return Const::ofFloat(double(v->i));
  if (def->kind != v->kind) {
    diag.error({}, flag + ": parameter '" + ov.name + "' is " +
                       (def->kind == Const::Int ? "an integer" : "a ") +
                       (def->kind == Const::Int ? "" : def->typeName()) +
                       ", got " + v->describe());
    return std::nullopt;
  }
  return v;
}

void Sema::modelParams(const ModuleDecl &m, llvm::ArrayRef<Override> overrides,
                       ConstEnv &env) {
  std::vector<std::string> names;
  for (const Param &p : m.params)
    names.push_back(p.name);
  for (const Override &ov : overrides)
    if (!isIn(names, ov.name))
      diag.error({}, "-D " + ov.name + "=" + ov.value + ": model '" + m.name +
                         "' has no parameter '" + ov.name + "'" +
                         didYouMean(ov.name, names));
  for (const Param &p : m.params) {
    if (env.definesLocally(p.name))
      continue; // a duplicate, already reported
    const Override *ov = nullptr;
    for (const Override &o : overrides)
      if (o.name == p.name)
        ov = &o;
    std::optional<Const> v;
    if (p.defaultValue)
      v = evalConst(*p.defaultValue, env, diag);
    if (ov)
      v = parseOverride(*ov, v);
    else if (!p.defaultValue)
      diag.error(p.loc, "model parameter '" + p.name +
                            "' has no default; give one or set it with -D " +
                            p.name + "=VALUE");
    env.define(p.name, v);
    g.hyperparams.push_back({p.name, v ? v->str() : "?"});
  }
}

//===----------------------------------------------------------------------===//
// Construction: layers and their tensors, in state_dict order
//===----------------------------------------------------------------------===//

int Sema::addTensor(const std::string &name, std::vector<int64_t> shape,
                    bool isBuffer, Init init, llvm::SMLoc loc) {
  if (g.tensors.size() >= limits::maxTensors) {
    diag.error(loc, "the model has more than " +
                        std::to_string(limits::maxTensors) +
                        " tensors; reduce the repetition counts");
    aborted = true;
    return -1;
  }
  if (elements(shape) < 0) {
    diag.error(loc, name + " would have shape " + shape::str(shape) +
                        ", more than 2^32 elements");
    return -1;
  }
  TensorDecl t;
  t.name = name;
  t.shape = std::move(shape);
  t.isBuffer = isBuffer;
  t.init = init;
  t.loc = loc;
  g.tensors.push_back(std::move(t));
  return int(g.tensors.size() - 1);
}

bool Sema::initTensor(int idx, const Expr *specExpr, const ConstEnv &env) {
  if (!specExpr || idx < 0)
    return idx >= 0 || !specExpr;
  auto spec = parseInit(*specExpr, env, diag);
  if (!spec)
    return false;
  TensorDecl &t = g.tensors[idx];
  auto init = resolveInit(*spec, t.shape, t.name, diag);
  if (!init)
    return false;
  t.init = *init;
  return true;
}

void Sema::instantiateMembers(Instance &inst, const std::string &prefix) {
  for (const Assign &a : inst.decl->members) {
    if (aborted || diag.tooMany())
      return;
    if (inst.byName.count(a.name))
      continue; // duplicate, reported by checkDecl
    auto l = makeLayer(*a.value, join(prefix, a.name), inst.env);
    if (l) {
      l->name = a.name;
      l->loc = a.loc;
    }
    inst.byName[a.name] = l.get();
    inst.env.markNonConstant(a.name, "a layer");
    inst.members.push_back(std::move(l));
  }
}

std::unique_ptr<Layer> Sema::makeLayer(const Expr &e, const std::string &path,
                                       const ConstEnv &env) {
  if (e.kind != Expr::Call || e.method) {
    if (e.kind == Expr::Name &&
        (blocks.count(e.text) || findPrimLayer(e.text))) {
      diag.error(e.loc, "'" + e.text + "' must be called to make a layer: " +
                            e.text + "(...)");
      return nullptr;
    }
    if (e.kind == Expr::Name) {
      std::vector<std::string> names = layerNames();
      for (const auto &b : blocks)
        names.push_back(b.getKey().str());
      diag.error(e.loc, "unknown layer or block '" + e.text + "'" +
                            didYouMean(e.text, names));
      return nullptr;
    }
    diag.error(e.loc, "expected a layer such as conv2d(...) or a block");
    return nullptr;
  }
  if (e.text == "shared" || e.text == "sequential")
    return makeRepeat(e, path, env);
  auto it = blocks.find(e.text);
  if (it != blocks.end())
    return makeBlock(e, *it->second, path, env);
  if (const LayerSpec *spec = findPrimLayer(e.text))
    return makePrim(e, *spec, path, env);
  std::vector<std::string> names = layerNames();
  for (const auto &b : blocks)
    names.push_back(b.getKey().str());
  names.push_back("shared");
  names.push_back("sequential");
  if (file.modules.size() && e.text.size()) {
    for (const auto &m : file.modules)
      if (m->isModel && m->name == e.text) {
        diag.error(e.loc, "'" + e.text + "' is the model; only blocks can "
                                         "be used as layers");
        return nullptr;
      }
  }
  diag.error(e.loc, "unknown layer or block '" + e.text + "'" +
                        didYouMean(e.text, names));
  return nullptr;
}

std::unique_ptr<Layer> Sema::makeRepeat(const Expr &call,
                                        const std::string &path,
                                        const ConstEnv &env) {
  bool shared = call.text == "shared";
  const Expr *arg = call.args.size() == 1 && call.args[0].name.empty()
                        ? call.args[0].value.get()
                        : nullptr;
  const Expr *ctor = nullptr, *count = nullptr;
  if (arg && arg->kind == Expr::Binary && arg->op == Tok::Star) {
    if (arg->rhs->kind == Expr::Call)
      ctor = arg->rhs.get(), count = arg->lhs.get();
    else if (arg->lhs->kind == Expr::Call)
      ctor = arg->lhs.get(), count = arg->rhs.get();
  }
  if (!ctor) {
    diag.error(arg ? arg->begin() : call.loc,
               call.text + " expects one argument 'count * Block(...)'");
    return nullptr;
  }
  auto n = evalInt(*count, env, diag, "the repetition count");
  if (!n)
    return nullptr;
  if (*n < 0 || *n > limits::maxRepeat) {
    diag.error(count->begin(), "repetition count " + std::to_string(*n) +
                               (*n < 0 ? " is negative"
                                       : " is too large (the limit is " +
                                             std::to_string(limits::maxRepeat) +
                                             ")"));
    return nullptr;
  }
  auto l = std::make_unique<Layer>();
  l->kind = Layer::Repeat;
  // PyTorch's nn.Sequential(*(n * [Block()])) registers the one block n
  // times, and state_dict keeps its tensors under index 0 only, as here.
  for (int64_t k = 0; k < *n; ++k) {
    if (shared && k > 0) {
      l->elems.push_back(l->elems.front());
      continue;
    }
    auto elem = makeLayer(*ctor, path + "." + std::to_string(k), env);
    if (!elem || aborted)
      return nullptr;
    elem->name = ctor->text;
    elem->loc = ctor->loc;
    l->elems.push_back(elem.get());
    l->owned.push_back(std::move(elem));
  }
  return l;
}

std::unique_ptr<Layer> Sema::makeBlock(const Expr &call, const ModuleDecl &decl,
                                       const std::string &path,
                                       const ConstEnv &env) {
  for (size_t i = 0; i < instStack.size(); ++i) {
    if (instStack[i] != &decl)
      continue;
    std::string cycle;
    for (size_t j = i; j < instStack.size(); ++j)
      cycle += instStack[j]->name + " -> ";
    diag.error(call.loc, "block '" + decl.name +
                             "' is instantiated recursively (" + cycle +
                             decl.name + ")");
    diag.note(decl.loc, "block '" + decl.name + "' declared here");
    return nullptr;
  }
  if (instStack.size() >= limits::maxBlockNesting) {
    diag.error(call.loc, "blocks are nested too deeply");
    return nullptr;
  }
  Signature sig;
  sig.callee = "block '" + decl.name + "'";
  for (const Param &p : decl.params)
    sig.params.push_back({p.name, "", p.defaultValue == nullptr});
  auto bound = bindArgs(sig, call.args, call.loc, diag);
  if (!bound)
    return nullptr;

  auto l = std::make_unique<Layer>();
  l->kind = Layer::Block;
  l->inst = std::make_unique<Instance>();
  Instance &inst = *l->inst;
  inst.decl = &decl;
  bool ok = true;
  for (size_t i = 0; i < decl.params.size(); ++i) {
    const Param &p = decl.params[i];
    if (inst.env.definesLocally(p.name))
      continue;
    // Arguments are evaluated where the block is used, defaults inside it.
    std::optional<Const> v = (*bound)[i]
                                 ? evalConst(*(*bound)[i], env, diag)
                                 : evalConst(*p.defaultValue, inst.env, diag);
    ok = ok && v;
    inst.env.define(p.name, v);
  }
  if (!ok)
    return nullptr;
  instStack.push_back(&decl);
  instantiateMembers(inst, path);
  instStack.pop_back();
  return l;
}

std::unique_ptr<Layer> Sema::makePrim(const Expr &call, const LayerSpec &spec,
                                      const std::string &path,
                                      const ConstEnv &env) {
  auto bound = bindArgs(layerSignature(spec), call.args, call.loc, diag);
  if (!bound)
    return nullptr;
  auto args = evalLayerArgs(spec.params, *bound, env, diag);
  if (!args)
    return nullptr;

  auto l = std::make_unique<Layer>();
  l->kind = Layer::Prim;
  l->spec = &spec;
  Node &n = l->tmpl;
  n.kind = spec.kind;
  if (spec.attrs)
    spec.attrs(*args, n);
  // The tensors, in state_dict order, each with PyTorch's default; then the
  // initializers the declaration gives.
  bool made = true;
  for (const TensorSpec &t : spec.tensors) {
    if (t.onlyIf >= 0 && !(*args)[t.onlyIf].flag)
      continue;
    int idx = addTensor(path + "." + t.suffix, t.shape(*args), t.isBuffer,
                        t.init(*args), call.loc);
    n.*t.slot = idx;
    if (idx < 0)
      made = false;
    else
      g.tensors[idx].isInteger = t.isInteger;
  }
  if (!made)
    return nullptr;
  for (const TensorSpec &t : spec.tensors)
    if (t.initArg >= 0 && !initTensor(n.*t.slot, (*args)[t.initArg].expr, env))
      return nullptr;
  l->args = std::move(*args);
  return l;
}

//===----------------------------------------------------------------------===//
// Forward: symbolic evaluation on shapes
//===----------------------------------------------------------------------===//

std::optional<unsigned> Sema::addNode(Node n, const shape::Result &r) {
  if (!r) {
    diag.error(n.loc, r.error);
    return std::nullopt;
  }
  if (elements(r.shape) < 0) {
    diag.error(n.loc, "the result of shape " + shape::str(r.shape) +
                          " has more than 2^32 elements per sample");
    return std::nullopt;
  }
  if (g.nodes.size() >= limits::maxNodes) {
    diag.error(n.loc, "the model has more than " +
                          std::to_string(limits::maxNodes) +
                          " operations; reduce the repetition counts");
    aborted = true;
    return std::nullopt;
  }
  n.shape = r.shape;
  if (n.kind == NodeKind::Dropout || n.kind == NodeKind::Dropout2d)
    n.dropoutSite = dropoutSites++;
  g.nodes.push_back(std::move(n));
  return unsigned(g.nodes.size() - 1);
}

std::optional<unsigned> Sema::apply(Layer &l, unsigned x, llvm::SMLoc callLoc,
                                    const std::string &scope) {
  l.used = true;
  if (aborted)
    return std::nullopt;
  if (l.kind == Layer::Block) {
    l.inst->used = true;
    return runForward(*l.inst, x, scope);
  }
  if (l.kind == Layer::Repeat) {
    Repeat r;
    r.input = x;
    r.first = unsigned(g.nodes.size());
    r.count = unsigned(l.elems.size());
    r.shared = l.elems.size() > 1 && l.elems[0] == l.elems[1];
    r.scope = scope;
    r.loc = callLoc;
    // Recorded when every iteration adds the same number of nodes and ends
    // at the same place in them; MLIRGen checks the rest of the likeness.
    bool regular = true;
    std::optional<unsigned> cur = x;
    for (size_t k = 0; k < l.elems.size() && cur; ++k) {
      unsigned begin = unsigned(g.nodes.size());
      cur = apply(*l.elems[k], *cur, callLoc, scope + "." + std::to_string(k));
      if (!cur)
        break;
      unsigned added = unsigned(g.nodes.size()) - begin;
      if (k == 0) {
        r.nodesPerIteration = added;
        r.resultOffset = *cur - begin;
      }
      regular = regular && added == r.nodesPerIteration && *cur >= begin &&
                *cur - begin == r.resultOffset;
    }
    if (cur && regular && r.count > 1 && r.nodesPerIteration > 0)
      g.repeats.push_back(std::move(r));
    return cur;
  }
  Node n = l.tmpl;
  n.inputs = {x};
  n.loc = callLoc;
  n.scope = scope;
  shape::Result r = l.spec->shape(g.nodes[x].shape, l.args);
  size_t before = diag.errorCount();
  auto id = addNode(std::move(n), r);
  if (!id && diag.errorCount() > before && l.loc.isValid())
    diag.note(l.loc, "'" + l.name + "' is declared here");
  return id;
}

std::optional<unsigned> Sema::runForward(Instance &inst, unsigned x,
                                         const std::string &scope) {
  const Forward *fw = inst.decl->forward.get();
  if (!fw)
    return std::nullopt; // reported by checkDecl
  const char *what = inst.decl->isModel ? "model" : "block";
  Fwd f(inst, scope);
  f.locals[fw->arg] = x;
  f.env.markNonConstant(fw->arg, "a tensor");
  std::optional<unsigned> result;
  bool returned = false, failed = false;
  for (const Stmt &s : fw->body) {
    if (aborted || diag.tooMany())
      return std::nullopt;
    if (returned) {
      diag.error(s.loc, "statement after return is never executed");
      break;
    }
    size_t before = diag.errorCount();
    std::optional<unsigned> v = evalTensor(*s.value, f);
    failed |= !v && diag.errorCount() > before;
    if (s.kind == Stmt::Return) {
      returned = true;
      result = v;
      continue;
    }
    if (inst.byName.count(s.name)) {
      diag.error(s.loc, "'" + s.name + "' is a layer of " + what + " '" +
                            inst.decl->name + "'; choose another name");
      v = std::nullopt;
    }
    f.locals[s.name] = v;
    f.env.markNonConstant(s.name, "a tensor");
  }
  if (!returned && !failed)
    diag.error(fw->endLoc, "forward of " + llvm::Twine(what) + " '" +
                               inst.decl->name + "' ends without a return");
  return result;
}

std::optional<unsigned> Sema::evalTensor(const Expr &e, Fwd &f) {
  switch (e.kind) {
  case Expr::Name: {
    auto it = f.locals.find(e.text);
    if (it != f.locals.end())
      return it->second;
    if (f.inst.byName.count(e.text)) {
      diag.error(e.loc, "'" + e.text + "' is a layer; call it on a tensor: " +
                            e.text + "(x)");
      return std::nullopt;
    }
    if (const std::optional<Const> *c = f.inst.env.find(e.text)) {
      diag.error(e.loc, "expected a tensor, got parameter '" + e.text + "'" +
                            (*c ? " (" + (*c)->describe() + ")" : ""));
      return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto &l : f.locals)
      names.push_back(l.getKey().str());
    diag.error(e.loc, "unknown name '" + e.text + "'" + didYouMean(e.text, names));
    return std::nullopt;
  }
  case Expr::Int:
  case Expr::Float:
  case Expr::Bool:
  case Expr::String: {
    std::string what = e.kind == Expr::String ? "a string" : "a number";
    if (e.kind == Expr::Bool)
      what = "a bool";
    diag.error(e.loc, "expected a tensor, got " + what);
    return std::nullopt;
  }
  case Expr::Unary:
    diag.error(e.loc, "unary operators are not defined on tensors");
    return std::nullopt;
  case Expr::Binary: {
    if (e.op != Tok::Plus) {
      diag.error(e.loc, "only '+' (a residual add of two tensors) is defined "
                        "on tensors");
      return std::nullopt;
    }
    auto l = evalTensor(*e.lhs, f);
    auto r = evalTensor(*e.rhs, f);
    if (!l || !r)
      return std::nullopt;
    Node n;
    n.kind = NodeKind::Add;
    n.inputs = {*l, *r};
    n.loc = e.loc;
    return addNode(std::move(n),
                   shape::add(g.nodes[*l].shape, g.nodes[*r].shape));
  }
  case Expr::Call: return evalCall(e, f);
  }
  return std::nullopt;
}

std::optional<unsigned> Sema::evalCall(const Expr &e, Fwd &f) {
  if (f.locals.count(e.text)) {
    diag.error(e.loc, "'" + e.text + "' is a tensor, not a layer");
    return std::nullopt;
  }
  auto member = f.inst.byName.find(e.text);
  if (member != f.inst.byName.end() && !e.method) {
    if (e.args.size() != 1 || !e.args[0].name.empty()) {
      diag.error(e.loc, "layer '" + e.text + "' takes one tensor, got " +
                            std::to_string(e.args.size()) + " arguments");
      return std::nullopt;
    }
    auto x = evalTensor(*e.args[0].value, f);
    if (!x || !member->second)
      return std::nullopt;
    return apply(*member->second, *x, e.loc, join(f.scope, e.text));
  }
  const LayerSpec *spec = findLayer(e.text);
  if (spec && spec->asFunction)
    return evalFunctional(e, *spec, f);
  if (spec || blocks.count(e.text) ||
      e.text == "shared" || e.text == "sequential") {
    diag.error(e.loc, "'" + e.text +
                          "' makes a layer; declare it before forward "
                          "(name = " + e.text + "(...)) and call it by name");
    return std::nullopt;
  }
  std::vector<std::string> names = functionNames();
  for (const auto &m : f.inst.byName)
    names.push_back(m.getKey().str());
  diag.error(e.loc, "unknown layer or function '" + e.text + "'" +
                        didYouMean(e.text, names));
  return std::nullopt;
}

std::optional<unsigned> Sema::evalFunctional(const Expr &e,
                                             const LayerSpec &spec, Fwd &f) {
  if (spec.customCall)
    return evalView(e, spec, f);
  auto bound = bindArgs(functionSignature(spec), e.args, e.loc, diag);
  if (!bound)
    return std::nullopt;
  auto x = evalTensor(*(*bound)[0], f);
  auto args = evalLayerArgs(spec.fnParams, llvm::ArrayRef(*bound).drop_front(),
                            f.env, diag, x.has_value());
  if (!x || !args)
    return std::nullopt;
  Node n;
  n.kind = spec.kind;
  n.inputs = {*x};
  n.loc = e.loc;
  if (spec.attrs)
    spec.attrs(*args, n);
  shape::Result r = spec.shape(g.nodes[*x].shape, *args);
  return addNode(std::move(n), r);
}

std::optional<unsigned> Sema::evalView(const Expr &e, const LayerSpec &spec,
                                       Fwd &f) {
  // x.view(-1, n): the batch stays; n must be the per-sample size.
  if (e.args.size() != 3) {
    diag.error(e.loc, "view takes a tensor and two sizes: view(x, -1, n)");
    return std::nullopt;
  }
  for (const Arg &a : e.args)
    if (!a.name.empty()) {
      diag.error(a.nameLoc, "view takes no keyword arguments");
      return std::nullopt;
    }
  auto x = evalTensor(*e.args[0].value, f);
  auto batch = evalInt(*e.args[1].value, f.env, diag, "view's first size");
  auto n = evalInt(*e.args[2].value, f.env, diag, "view's second size");
  if (!x || !batch || !n)
    return std::nullopt;
  if (*batch != -1) {
    diag.error(e.args[1].value->begin(),
               "view must keep the batch dimension: its first size must be "
               "-1, got " + std::to_string(*batch));
    return std::nullopt;
  }
  shape::Result r = spec.shape(g.nodes[*x].shape, {});
  if (r && r.shape[0] != *n) {
    diag.error(e.args[2].value->begin(),
               "view(-1, " + std::to_string(*n) + ") does not match its "
               "input: " + shape::str(g.nodes[*x].shape) + " has " +
               std::to_string(r.shape[0]) + " features per sample");
    return std::nullopt;
  }
  Node node;
  node.kind = spec.kind;
  node.inputs = {*x};
  node.loc = e.loc;
  return addNode(std::move(node), r);
}

void Sema::warnUnused(Instance &inst) {
  for (const auto &l : inst.members) {
    if (!l)
      continue;
    if (!l->used) {
      diag.warning(l->loc, "layer '" + l->name +
                               "' is declared but never used in forward");
      continue;
    }
    if (l->kind == Layer::Block)
      warnUnused(*l->inst);
    else if (l->kind == Layer::Repeat && !l->elems.empty() &&
             l->elems[0]->kind == Layer::Block)
      warnUnused(*l->elems[0]->inst);
  }
}

//===----------------------------------------------------------------------===//
// train { }
//===----------------------------------------------------------------------===//

void Sema::train(const TrainDecl &t, const ConstEnv &env) {
  static const std::vector<std::string> settings = {
      "loss", "optimizer", "penalty", "epochs", "batch_size", "seed"};
  TrainConfig &cfg = g.train;
  llvm::StringMap<llvm::SMLoc> seen;
  for (const Assign &a : t.settings) {
    if (!isIn(settings, a.name)) {
      diag.error(a.loc, "unknown train setting '" + a.name + "'" +
                            didYouMean(a.name, settings));
      continue;
    }
    auto [it, fresh] = seen.try_emplace(a.name, a.loc);
    if (!fresh) {
      diag.error(a.loc, "train setting '" + a.name + "' is given twice");
      diag.note(it->second, "first given here");
      continue;
    }
    const Expr &e = *a.value;
    if (a.name == "loss") {
      evalWord(e, {"cross_entropy"}, diag, "loss");
    } else if (a.name == "epochs" || a.name == "batch_size" ||
               a.name == "seed") {
      auto v = evalInt(e, env, diag, a.name);
      if (!v)
        continue;
      int64_t lo = a.name == "seed" ? 0 : 1;
      int64_t hi = a.name == "seed"     ? INT64_MAX
                   : a.name == "epochs" ? int64_t(1000000)
                                        : limits::maxDim;
      if (*v < lo || *v > hi) {
        diag.error(e.begin(), a.name + " must be in [" + std::to_string(lo) +
                              ", " + std::to_string(hi) + "], got " +
                              std::to_string(*v));
        continue;
      }
      (a.name == "epochs" ? cfg.epochs
       : a.name == "seed" ? cfg.seed
                          : cfg.batchSize) = *v;
    } else if (a.name == "optimizer") {
      if ((e.kind != Expr::Call && e.kind != Expr::Name) || e.text != "sgd") {
        diag.error(e.loc, "unknown optimizer" +
                              (e.kind == Expr::Call || e.kind == Expr::Name
                                   ? " '" + e.text + "'"
                                   : std::string()) +
                              "; cnnc supports sgd(lr=..., momentum=..., "
                              "dampening=..., weight_decay=..., nesterov=...)");
        continue;
      }
      Signature sig{"sgd", {{"lr", ""}, {"momentum", ""}, {"dampening", ""},
                            {"weight_decay", ""}, {"nesterov", ""}}};
      llvm::ArrayRef<Arg> args;
      if (e.kind == Expr::Call)
        args = e.args;
      auto bound = bindArgs(sig, args, e.loc, diag);
      if (!bound)
        continue;
      bool ok = true;
      double *fields[] = {&cfg.lr, &cfg.momentum, &cfg.dampening,
                          &cfg.weightDecay};
      for (size_t i = 0; i < 4; ++i) {
        const Expr *x = (*bound)[i];
        if (!x)
          continue;
        auto v = evalNumber(*x, env, diag, sig.params[i].name);
        if (!v) {
          ok = false;
          continue;
        }
        bool good = i == 0 ? *v > 0 : *v >= 0;
        if (!good) {
          diag.error(x->begin(), sig.params[i].name + " must be " +
                                 (i == 0 ? "positive" : "non-negative") +
                                 ", got " + formatDouble(*v));
          ok = false;
        }
        *fields[i] = *v;
      }
      if (const Expr *x = (*bound)[4]) {
        auto v = evalBool(*x, env, diag, "nesterov");
        if (!v)
          continue;
        cfg.nesterov = *v;
        if (ok && *v && (cfg.momentum <= 0 || cfg.dampening != 0))
          diag.error(x->begin(), "nesterov momentum requires a positive momentum "
                             "and zero dampening");
      }
    } else if (a.name == "penalty") {
      if (e.kind == Expr::Name && e.text == "none") {
        cfg.penalty = TrainConfig::Penalty::None;
        continue;
      }
      if (e.kind != Expr::Call || (e.text != "l1" && e.text != "l2")) {
        diag.error(e.loc, "penalty must be l2(lambda), l1(lambda) or none");
        continue;
      }
      Signature sig{e.text, {{"lambda", "", true}}};
      auto bound = bindArgs(sig, e.args, e.loc, diag);
      if (!bound)
        continue;
      auto v = evalNumber(*(*bound)[0], env, diag, "lambda");
      if (!v)
        continue;
      if (*v < 0) {
        diag.error((*bound)[0]->begin(),
                   "lambda must be non-negative, got " + formatDouble(*v));
        continue;
      }
      cfg.penalty = e.text == "l1" ? TrainConfig::Penalty::L1
                                   : TrainConfig::Penalty::L2;
      cfg.lambda = *v;
    }
  }
}

/// Compile time grows with the code the model compiles to: an error at the
/// operation that takes it past the limit.
void Sema::checkCompiledSize() {
  std::optional<unsigned> at =
      compiledSizeExceeded(g, limits::maxCompiledSize);
  if (!at)
    return;
  const Node &n = g.nodes[*at];
  diag.error(n.loc,
             "the model compiles to more than " +
                 std::to_string(limits::maxCompiledSize) + " operations" +
                 (n.scope.empty() ? std::string()
                                  : " from '" + n.scope + "' on") +
                 " (a convolution counts " +
                 std::to_string(limits::convCompiledSize) +
                 ", a repeated block once); the limit keeps a compile within "
                 "about half a minute: repeat blocks with shared(n * B) or "
                 "sequential(n * B), or use fewer layers");
}

//===----------------------------------------------------------------------===//

Graph Sema::run(llvm::StringRef filename, llvm::ArrayRef<Override> overrides) {
  g.file = filename.str();
  const ModuleDecl *model = collect();
  if (!model) {
    if (diag.errorCount() == 0) {
      const llvm::MemoryBuffer *buf =
          diag.sourceMgr().getMemoryBuffer(diag.sourceMgr().getMainFileID());
      diag.error(llvm::SMLoc::getFromPointer(buf->getBufferStart()),
                 "no model declared; a file needs one 'model Name(...) { ... }'");
    }
    return std::move(g);
  }
  g.name = model->name;

  Instance top;
  top.decl = model;
  modelParams(*model, overrides, top.env);

  // nodes[0] is the input.
  std::optional<unsigned> input;
  if (model->inputLoc.isValid()) {
    Node in;
    in.kind = NodeKind::Input;
    in.loc = model->inputLoc;
    bool ok = true;
    if (model->input.empty() || model->input.size() > 3) {
      diag.error(model->inputLoc, "input must have 1 to 3 dimensions "
                                  "([channels, height, width]), got " +
                                      std::to_string(model->input.size()));
      ok = false;
    }
    for (const ExprPtr &d : model->input) {
      auto v = evalInt(*d, top.env, diag, "input dimension");
      if (!v) {
        ok = false;
      } else if (*v < 1 || *v > limits::maxDim) {
        diag.error(d->begin(), "input dimension must be in [1, " +
                               std::to_string(limits::maxDim) + "], got " +
                               std::to_string(*v));
        ok = false;
      }
      in.shape.push_back(v.value_or(1));
    }
    if (ok) {
      shape::Result r = shape::Result::ok(in.shape);
      input = addNode(std::move(in), r);
    }
  }

  instantiateMembers(top, "");
  if (input && !aborted) {
    top.used = true;
    auto out = runForward(top, *input, "");
    if (out)
      g.output = *out;
    // The executables and the runtime take [N, classes] logits (checked on
    // a model otherwise right: after other errors it would be noise).
    if (out && diag.errorCount() == 0 && g.nodes[*out].shape.size() != 1) {
      const shape::Shape &got = g.nodes[*out].shape;
      llvm::SMLoc loc = top.decl->forward->endLoc;
      for (const Stmt &st : top.decl->forward->body)
        if (st.kind == Stmt::Return)
          loc = st.loc;
      int64_t numel = 1;
      for (int64_t d : got)
        numel *= d;
      diag.error(loc, "forward of model '" + top.decl->name +
                          "' must return logits of shape [N, classes], not [N" +
                          (got.empty() ? "]" : ", " + shape::str(got).substr(1)) +
                          "; flatten them first, e.g. out.view(-1, " +
                          std::to_string(numel) + ")");
    }
    if (diag.errorCount() == 0)
      checkCompiledSize();
    if (diag.errorCount() == 0)
      warnUnused(top);
  }
  if (!file.trains.empty() && !aborted)
    train(*file.trains.front(), top.env);
  return std::move(g);
}

Graph cnnc::analyze(const File &file, llvm::StringRef filename,
                    llvm::ArrayRef<Override> overrides, Diagnostics &diag) {
  return Sema(file, diag).run(filename, overrides);
}
