"""torch.compile (TorchInductor, default mode): the same modules, step and
threads as torch_eager.py, compiled as PyTorch's tutorials compile a
training loop: the forward with the loss (AOTAutograd compiles its backward
too) and, separately, optimizer.step; for inference, the eval module.
Inductor's CPU code uses OpenMP with torch.get_num_threads() threads."""
import torch

from torch_eager import TorchEager


class TorchCompile(TorchEager):
    name = "torch.compile"

    def __init__(self, case):
        torch._dynamo.reset()  # nothing cached from an earlier case
        super().__init__(case)
        self.loss_fn = torch.compile(self.loss)
        opt = self.opt

        @torch.compile(fullgraph=False)
        def opt_step():
            opt.step()
        self.opt_step = opt_step
        self.forward_fn = torch.compile(self.infer_model)


PEER = TorchCompile
