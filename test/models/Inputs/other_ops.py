"""PyTorch's version of other_ops.cnn: the language's ops that the lecture's
networks leave out, for the training-step comparison."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class OtherOps(nn.Module):
    def __init__(self, in_chans=1, side=28, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_chans, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8, affine=False)
        self.conv2 = nn.Conv2d(8, 6, kernel_size=3, stride=2, padding=1, bias=False)
        self.drop1 = nn.Dropout(p=0.3)
        self.fc1 = nn.Linear(6 * 3 * 3, 16)
        self.drop2 = nn.Dropout(p=0.2)
        self.fc2 = nn.Linear(16, n_classes, bias=False)

    def forward(self, x):
        out = F.avg_pool2d(torch.sigmoid(self.bn1(self.conv1(x))), 2)
        out = self.drop1(torch.relu(self.conv2(out)))
        out = F.max_pool2d(out, 3, stride=2)
        out = out.flatten(1)
        out = self.drop2(torch.sigmoid(self.fc1(out)))
        return self.fc2(out)
