"""JAX/XLA: the lecture's seven networks written in jax.numpy and lax, one
jax.jit-compiled training step (forward in train mode, cross-entropy plus
the model's penalty, jax.value_and_grad, SGD) and a jit-compiled eval
forward, from cnnc's weights.

Activations are NHWC (XLA's CPU convolutions are Eigen's, channels last);
the NCHW batch is transposed inside the step and the activation transposed
back to NCHW before the flatten, so the weights keep PyTorch's layouts and
state_dict names. The SGD update is the one cnnc fuses (torch.optim.SGD's):
  g = grad(cross-entropy + l2 * sum p^2 + l1 * sum |p|) + weight_decay * p
  momentum != 0: buf = g on the first step, else momentum * buf + (1 - dampening) * g;
                 d = g + momentum * buf if nesterov else buf
  p = p - lr * d
Batchnorm in training normalises with the batch's biased variance and moves
the running statistics by 0.1 towards the batch mean and unbiased variance
(a shared block's, once per use, in order). Dropout2d draws its channel
masks with jax.random (keyed by the step), or uses the given ones (the
check). Parameters, state and momentum buffers are donated to the step, so
XLA updates them in place.
Threads: the process is bound to `threads` CPUs (sched_setaffinity: XLA's
CPU thread pools size themselves to the CPUs it may run on) and XLA_FLAGS
has --xla_cpu_multi_thread_eigen=true; both are set by worker.py before jax
is imported."""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from common import cross_entropy_gradient, load

BN_MOMENTUM = 0.1
BN_EPS = 1e-5
BUFFERS = (".running_mean", ".running_var", ".num_batches_tracked")


class Ctx:
    """What one forward pass threads through the layers."""

    def __init__(self, train, state, masks=None, key=None):
        self.train, self.state, self.masks, self.key = train, state, masks, key
        self.site = 0


def conv(p, name, x, bias=True):
    y = lax.conv_general_dilated(x, p[name + ".weight"], (1, 1), ((1, 1), (1, 1)),
                                 dimension_numbers=("NHWC", "OIHW", "NHWC"))
    return y + p[name + ".bias"] if bias else y


def linear(p, name, x):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def max_pool(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def flatten(x):
    """PyTorch's view(-1, C*H*W) of the NCHW tensor."""
    return jnp.transpose(x, (0, 3, 1, 2)).reshape(x.shape[0], -1)


def batchnorm(ctx, p, name, x):
    mean_key, var_key = name + ".running_mean", name + ".running_var"
    if ctx.train:
        mean = jnp.mean(x, axis=(0, 1, 2))
        var = jnp.mean(jnp.square(x - mean), axis=(0, 1, 2))
        n = x.size // x.shape[-1]
        ctx.state[mean_key] = (1 - BN_MOMENTUM) * ctx.state[mean_key] + BN_MOMENTUM * mean
        ctx.state[var_key] = ((1 - BN_MOMENTUM) * ctx.state[var_key]
                              + BN_MOMENTUM * var * (n / (n - 1)))
    else:
        mean, var = ctx.state[mean_key], ctx.state[var_key]
    return (x - mean) * lax.rsqrt(var + BN_EPS) * p[name + ".weight"] + p[name + ".bias"]


def dropout2d(ctx, name, x, p=0.4):
    if not ctx.train:
        return x
    if ctx.masks is not None:
        mask = ctx.masks["mask." + name]
    else:
        keep = jax.random.bernoulli(jax.random.fold_in(ctx.key, ctx.site), 1.0 - p,
                                    (x.shape[0], x.shape[-1]))
        mask = keep.astype(x.dtype) * (1.0 / (1.0 - p))
    ctx.site += 1
    return x * mask[:, None, None, :]


# --- The lecture's networks (test/models/Inputs/lecture.py, models/*.cnn). --

def net(ctx, p, x):  # Net and NetWidth
    out = max_pool(jnp.tanh(conv(p, "conv1", x)))
    out = max_pool(jnp.tanh(conv(p, "conv2", out)))
    out = jnp.tanh(linear(p, "fc1", flatten(out)))
    return linear(p, "fc2", out)


def net_dropout(ctx, p, x):
    out = max_pool(jnp.tanh(conv(p, "conv1", x)))
    out = dropout2d(ctx, "conv1_dropout", out)
    out = max_pool(jnp.tanh(conv(p, "conv2", out)))
    out = dropout2d(ctx, "conv2_dropout", out)
    out = jnp.tanh(linear(p, "fc1", flatten(out)))
    return linear(p, "fc2", out)


def net_batchnorm(ctx, p, x):
    out = max_pool(jnp.tanh(batchnorm(ctx, p, "conv1_batchnorm", conv(p, "conv1", x))))
    out = max_pool(jnp.tanh(batchnorm(ctx, p, "conv2_batchnorm", conv(p, "conv2", out))))
    out = jnp.tanh(linear(p, "fc1", flatten(out)))
    return linear(p, "fc2", out)


def net_depth(ctx, p, x):
    out = max_pool(jax.nn.relu(conv(p, "conv1", x)))
    out = max_pool(jax.nn.relu(conv(p, "conv2", out)))
    out = max_pool(jax.nn.relu(conv(p, "conv3", out)))
    out = jax.nn.relu(linear(p, "fc1", flatten(out)))
    return linear(p, "fc2", out)


def net_res(ctx, p, x):
    out = max_pool(jax.nn.relu(conv(p, "conv1", x)))
    out = max_pool(jax.nn.relu(conv(p, "conv2", out)))
    out1 = out
    out = max_pool(jax.nn.relu(conv(p, "conv3", out)) + out1)
    out = jax.nn.relu(linear(p, "fc1", flatten(out)))
    return linear(p, "fc2", out)


def net_res_deep(n_blocks):
    """The lecture's n_blocks * [ResBlock]: one block (resblocks.0.*) used
    n_blocks times, unrolled (XLA sees, and may fuse across, every use)."""
    def forward(ctx, p, x):
        out = max_pool(jax.nn.relu(conv(p, "conv1", x)))
        for _ in range(n_blocks):
            y = conv(p, "resblocks.0.conv", out, bias=False)
            y = batchnorm(ctx, p, "resblocks.0.batch_norm", y)
            out = jax.nn.relu(y) + out
        out = max_pool(out)
        out = jax.nn.relu(linear(p, "fc1", flatten(out)))
        return linear(p, "fc2", out)
    return forward


def forward_of(case):
    model = case["model"]
    if model == "net_res_deep":
        return net_res_deep(case.get("defines", {}).get("n_blocks", 10))
    return {"net": net, "net_width": net, "net_dropout": net_dropout,
            "net_batchnorm": net_batchnorm, "net_depth": net_depth,
            "net_res": net_res}[model]


def aliases(case, name):
    """The other state_dict names of a shared block's tensor."""
    if case["model"] == "net_res_deep" and name.startswith("resblocks.0."):
        rest = name[len("resblocks.0."):]
        return [f"resblocks.{k}.{rest}"
                for k in range(1, case.get("defines", {}).get("n_blocks", 10))]
    return []


class Jax:
    name = "JAX jit"

    def __init__(self, case):
        forward = forward_of(case)
        self.sgd = sgd = case["sgd"]
        lr, mu, damp, wd = sgd["lr"], sgd["momentum"], sgd["dampening"], sgd["weight_decay"]
        nesterov, l2, l1 = sgd["nesterov"], sgd["l2"], sgd["l1"]
        self.case = case
        weights = load(case["weights"])
        unique = {k: v for k, v in weights.items() if not k.startswith("resblocks.")
                  or k.startswith("resblocks.0.") or case["model"] != "net_res_deep"}
        self.params = {k: jnp.asarray(v) for k, v in unique.items() if not k.endswith(BUFFERS)}
        self.state = {k: jnp.asarray(v) for k, v in unique.items()
                      if k.endswith((".running_mean", ".running_var"))}
        self.bufs = {k: jnp.zeros_like(v) for k, v in self.params.items()} if mu else {}
        # Inference keeps the checkpoint's weights (the step's are donated).
        self.eval_params = {k: jnp.array(v, copy=True) for k, v in self.params.items()}
        self.eval_state = {k: jnp.array(v, copy=True) for k, v in self.state.items()}
        batch = load(case["batch"])
        self.x = jnp.asarray(batch["input"])
        self.y = jnp.asarray(batch["labels"].astype(np.int32))
        self.masks = ({k: jnp.asarray(v) for k, v in load(case["masks"]).items()}
                      if case["masks"] else None)
        self.key = jax.random.key(0)
        self.steps = 0

        def step(params, state, bufs, x, y, masks, key, first):
            x = jnp.transpose(x, (0, 2, 3, 1))

            def loss_fn(params):
                ctx = Ctx(True, dict(state), masks, key)
                logits = forward(ctx, params, x)
                logp = jax.nn.log_softmax(logits)
                ce = -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))
                loss = ce
                if l2:
                    loss = loss + l2 * sum(jnp.sum(jnp.square(v)) for v in params.values())
                if l1:
                    loss = loss + l1 * sum(jnp.sum(jnp.abs(v)) for v in params.values())
                return loss, (logits, ctx.state)

            (loss, (logits, new_state)), grads = jax.value_and_grad(
                loss_fn, has_aux=True)(params)
            new_params, new_bufs = {}, {}
            for k, p in params.items():
                g = grads[k] + wd * p if wd else grads[k]
                if mu:
                    buf = jnp.where(first, g, mu * bufs[k] + (1 - damp) * g)
                    new_bufs[k] = buf
                    g = g + mu * buf if nesterov else buf
                new_params[k] = p - lr * g
            return new_params, new_state, new_bufs, loss, logits, grads

        def timed_step(*args):
            return step(*args)[:5]

        def infer(params, state, x):
            x = jnp.transpose(x, (0, 2, 3, 1))
            return forward(Ctx(False, state), params, x)

        self.step = jax.jit(timed_step, donate_argnums=(0, 1, 2))
        # The check's step: the same function, the gradients returned too.
        self.check_step = jax.jit(step)
        self.forward = jax.jit(infer)

    def train_step(self):
        key = jax.random.fold_in(self.key, self.steps)
        self.params, self.state, self.bufs, loss, logits = self.step(
            self.params, self.state, self.bufs, self.x, self.y, None, key,
            jnp.asarray(self.steps == 0))
        self.steps += 1
        return loss, logits

    def infer(self):
        return self.forward(self.eval_params, self.eval_state, self.x)

    def sync(self, out):
        jax.block_until_ready(out)
        if isinstance(out, tuple):  # a training step: the updates too
            jax.block_until_ready((self.params, self.state, self.bufs))

    def check_train(self):
        before = {k: np.asarray(v) for k, v in self.params.items()}
        params, state, _, loss, logits, grads = self.check_step(
            self.params, self.state, self.bufs, self.x, self.y, self.masks,
            jax.random.key(1), jnp.asarray(True))
        if self.masks is None:
            # Without dropout the timed step computes the same: its first
            # step, from the same weights, is what is compared.
            loss, logits = self.train_step()
            params, state = self.params, self.state
        out = {}
        for k, v in {**params, **state}.items():
            for name in [k, *aliases(self.case, k)]:
                out[name] = np.asarray(v)
        out["logits"] = np.asarray(logits)
        out["loss"] = np.float32(loss)
        for k, g in grads.items():
            out[f"grad.{k}"] = cross_entropy_gradient(np.asarray(g), before[k], self.sgd)
        return out

    def check_infer(self):
        return np.asarray(self.infer())


PEER = Jax
