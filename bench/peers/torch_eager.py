"""PyTorch eager: the lecture's classes (test/models/Inputs/lecture.py) as
they are, from cnnc's weights.

Training step: zero_grad, forward in train mode, F.cross_entropy plus the
lecture's penalty (l2 * sum p^2 + l1 * sum |p| over model.parameters()),
backward, torch.optim.SGD.step with the model's lr, momentum, dampening,
weight decay and nesterov: the step cnnc's executable compiles.
Inference: forward in eval mode under torch.no_grad.
Threads: torch.set_num_threads(threads) (intra-op; OMP_NUM_THREADS is set
too, before torch is imported)."""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import cross_entropy_gradient, lecture_module, load, model_kwargs


class GivenMask(nn.Module):
    """Dropout2d with a given mask [N, C] (1/(1-p) kept, 0 dropped)."""

    def __init__(self, mask):
        super().__init__()
        self.mask = mask

    def forward(self, x):
        return x * self.mask[:, :, None, None]


class TorchEager:
    name = "torch eager"

    def __init__(self, case):
        torch.set_num_threads(case["threads"])
        lecture = lecture_module()
        state = {k: torch.from_numpy(v.copy()) for k, v in load(case["weights"]).items()}
        model = lecture.MODELS[case["model"]](**model_kwargs(case))
        model.load_state_dict(state, strict=True)
        self.train_model = model.train()
        self.infer_model = copy.deepcopy(model).eval()
        batch = load(case["batch"])
        self.x = torch.from_numpy(batch["input"].copy())
        self.y = torch.from_numpy(batch["labels"].astype(np.int64))
        self.masks = load(case["masks"]) if case["masks"] else {}
        self.sgd = sgd = case["sgd"]
        self.l2, self.l1 = sgd["l2"], sgd["l1"]
        self.params = list(self.train_model.parameters())
        self.opt = torch.optim.SGD(self.params, lr=sgd["lr"], momentum=sgd["momentum"],
                                   dampening=sgd["dampening"],
                                   weight_decay=sgd["weight_decay"],
                                   nesterov=sgd["nesterov"])
        self.loss_fn = self.loss
        self.opt_step = self.opt.step
        self.forward_fn = self.infer_model

    def loss(self, x, y):
        logits = self.train_model(x)
        loss = F.cross_entropy(logits, y)
        if self.l2:
            loss = loss + self.l2 * sum(p.pow(2.0).sum() for p in self.params)
        if self.l1:
            loss = loss + self.l1 * sum(p.abs().sum() for p in self.params)
        return loss, logits

    def train_step(self):
        self.opt.zero_grad(set_to_none=True)
        loss, logits = self.loss_fn(self.x, self.y)
        loss.backward()
        self.opt_step()
        return loss, logits

    def infer(self):
        with torch.no_grad():
            return self.forward_fn(self.x)

    def sync(self, _):
        pass  # eager and inductor's CPU code return when done

    # --- The checks: one step, and eval logits, from cnnc's weights. ------

    def check_train(self):
        """One training step with cnnc's dropout masks: logits, loss, the
        updated state. Leaves the model with its own dropout again."""
        before = [p.detach().numpy().copy() for p in self.params]
        swapped = []
        for name, m in list(self.train_model.named_children()):
            if isinstance(m, nn.Dropout2d):
                mask = torch.from_numpy(self.masks[f"mask.{name}"].copy())
                setattr(self.train_model, name, GivenMask(mask))
                swapped.append((name, m))
        try:
            loss, logits = self.train_step()
        finally:
            for name, m in swapped:
                setattr(self.train_model, name, m)
        out = {k: v.detach().numpy().copy() for k, v in self.train_model.state_dict().items()}
        out["logits"] = logits.detach().numpy().copy()
        out["loss"] = np.float32(loss.item())
        for (name, p), old in zip(self.train_model.named_parameters(), before):
            out[f"grad.{name}"] = cross_entropy_gradient(p.grad.numpy(), old, self.sgd)
        return out

    def check_infer(self):
        return self.infer().numpy().copy()


PEER = TorchEager
