"""The lecture's networks in PyTorch, written from the lecture's classes
(Deep Learning with PyTorch, ch. 8) and parameterised by the input shape and
class count the same way models/*.cnn are: the independent reference the
compiled programs are checked against."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = 8 * (side // 4) * (side // 4)
        self.conv1 = nn.Conv2d(in_chans, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 8, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
        out = out.view(-1, self.feat)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


class NetWidth(nn.Module):
    def __init__(self, n_chans1=32, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = (side // 4) * (side // 4) * n_chans1 // 2
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
        out = out.view(-1, self.feat)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


class NetDropout(nn.Module):
    def __init__(self, n_chans1=32, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = (side // 4) * (side // 4) * n_chans1 // 2
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        self.conv1_dropout = nn.Dropout2d(p=0.4)
        self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
        self.conv2_dropout = nn.Dropout2d(p=0.4)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        out = self.conv1_dropout(out)
        out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
        out = self.conv2_dropout(out)
        out = out.view(-1, self.feat)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


class NetBatchNorm(nn.Module):
    def __init__(self, n_chans1=32, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = (side // 4) * (side // 4) * n_chans1 // 2
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        self.conv1_batchnorm = nn.BatchNorm2d(num_features=n_chans1)
        self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
        self.conv2_batchnorm = nn.BatchNorm2d(num_features=n_chans1 // 2)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = self.conv1_batchnorm(self.conv1(x))
        out = F.max_pool2d(torch.tanh(out), 2)
        out = self.conv2_batchnorm(self.conv2(out))
        out = F.max_pool2d(torch.tanh(out), 2)
        out = out.view(-1, self.feat)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


class NetDepth(nn.Module):
    def __init__(self, n_chans1=32, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = (side // 8) * (side // 8) * n_chans1 // 2
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(n_chans1 // 2, n_chans1 // 2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        out = F.max_pool2d(torch.relu(self.conv2(out)), 2)
        out = F.max_pool2d(torch.relu(self.conv3(out)), 2)
        out = out.view(-1, self.feat)
        out = torch.relu(self.fc1(out))
        return self.fc2(out)


class NetRes(nn.Module):
    def __init__(self, n_chans1=32, in_chans=3, side=32, n_classes=2):
        super().__init__()
        self.feat = (side // 8) * (side // 8) * n_chans1 // 2
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(n_chans1 // 2, n_chans1 // 2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        out = F.max_pool2d(torch.relu(self.conv2(out)), 2)
        out1 = out
        out = F.max_pool2d(torch.relu(self.conv3(out)) + out1, 2)
        out = out.view(-1, self.feat)
        out = torch.relu(self.fc1(out))
        return self.fc2(out)


class ResBlock(nn.Module):
    def __init__(self, n_chans):
        super().__init__()
        self.conv = nn.Conv2d(n_chans, n_chans, kernel_size=3, padding=1, bias=False)
        self.batch_norm = nn.BatchNorm2d(num_features=n_chans)
        torch.nn.init.kaiming_normal_(self.conv.weight, nonlinearity="relu")
        torch.nn.init.constant_(self.batch_norm.weight, 0.5)
        torch.nn.init.zeros_(self.batch_norm.bias)

    def forward(self, x):
        out = self.conv(x)
        out = self.batch_norm(out)
        out = torch.relu(out)
        return out + x


class NetResDeep(nn.Module):
    """shared=True is the lecture's n_blocks * [ResBlock(...)]: one block."""

    def __init__(self, n_chans1=32, n_blocks=10, in_chans=3, side=32,
                 n_classes=2, shared=True):
        super().__init__()
        self.feat = (side // 4) * (side // 4) * n_chans1
        self.conv1 = nn.Conv2d(in_chans, n_chans1, kernel_size=3, padding=1)
        if shared:
            blocks = n_blocks * [ResBlock(n_chans=n_chans1)]
        else:
            blocks = [ResBlock(n_chans=n_chans1) for _ in range(n_blocks)]
        self.resblocks = nn.Sequential(*blocks)
        self.fc1 = nn.Linear(self.feat, 32)
        self.fc2 = nn.Linear(32, n_classes)

    def forward(self, x):
        out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        out = self.resblocks(out)
        out = F.max_pool2d(out, 2)
        out = out.view(-1, self.feat)
        out = torch.relu(self.fc1(out))
        return self.fc2(out)


# model file -> constructor
MODELS = {
    "net": Net,
    "net_width": NetWidth,
    "net_dropout": NetDropout,
    "net_batchnorm": NetBatchNorm,
    "net_depth": NetDepth,
    "net_res": NetRes,
    "net_res_deep": lambda **kw: NetResDeep(shared=True, **kw),
    "net_res_deep_distinct": lambda **kw: NetResDeep(shared=False, **kw),
}

SHAPES = {
    "cifar2": dict(in_chans=3, side=32, n_classes=2),
    "fmnist": dict(in_chans=1, side=28, n_classes=10),
}


def unique_state_dict(module):
    """state_dict without the aliases a shared module adds: PyTorch lists a
    block used n times under n prefixes; the first name of each tensor stays."""
    seen, out = set(), {}
    for name, tensor in module.state_dict().items():
        key = (tensor.data_ptr(), tuple(tensor.shape), tensor.dtype)
        if tensor.numel() and key in seen:
            continue
        seen.add(key)
        out[name] = tensor
    return out


def perturb(model):
    """Non-trivial values for every parameter (scaled to keep activations in
    range) and batchnorm buffer, so that no term of a comparison vanishes."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * (0.5 / max(1.0, p[0].numel() ** 0.5)))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
    return model
