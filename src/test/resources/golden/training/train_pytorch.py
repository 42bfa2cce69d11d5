#!/usr/bin/python3
"""The PyTorch recipe that vectorgrad's training demo (dev.vectorgrad.demo.Training) ports line by line.

  /usr/bin/python3 train_pytorch.py                 # digits: MLP 64-128-10, Adam 1e-3, batch 32, 30 epochs
  /usr/bin/python3 train_pytorch.py fashion-mnist [DIR]   # MLP 784-256-10, Adam 1e-3, batch 64, 5 epochs

Debian: apt-get install python3-torch python3-sklearn dataset-fashion-mnist. Prints one line per epoch and
ends with `test accuracy: 0.xxxx`, as the Java demo. Seeds differ from vectorgrad's generators (different
streams), so the two runs start from different weights and splits; the recipe is the same:
  digits: inputs / 16 (pixel counts 0..16 -> [0, 1]), a seeded 80/20 random_split, shuffled batches of 32,
  fashion-mnist: inputs / 255 (torchvision's ToTensor scale), the official 60,000/10,000 split, batches of 64;
  both: nn.Sequential(Linear, ReLU, Linear) with PyTorch's default init, cross-entropy, Adam(lr=1e-3).
"""
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.set_num_threads(int(os.environ.get("THREADS", "1")))


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    ndims = magic & 0xff
    shape = struct.unpack(">" + "i" * ndims, data[4:4 + 4 * ndims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(shape)


def digits():
    import sklearn.datasets
    d = sklearn.datasets.load_digits()
    x = torch.tensor(d.data, dtype=torch.float32) / 16.0
    y = torch.tensor(d.target, dtype=torch.int64)
    full = TensorDataset(x, y)
    train, test = random_split(full, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    idx_tr, idx_te = torch.tensor(train.indices), torch.tensor(test.indices)
    return (TensorDataset(x[idx_tr], y[idx_tr]), TensorDataset(x[idx_te], y[idx_te]), 64, 128, 32, 30)


def fashion_mnist(folder):
    def load(prefix):
        images = read_idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"))
        x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 255.0
        return TensorDataset(x, torch.tensor(labels, dtype=torch.int64))
    return load("train"), load("t10k"), 784, 256, 64, 5


def main():
    torch.manual_seed(0)
    if len(sys.argv) > 1 and sys.argv[1] == "fashion-mnist":
        folder = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
        train, test, n_in, hidden, batch, epochs = fashion_mnist(folder)
    else:
        train, test, n_in, hidden, batch, epochs = digits()
    model = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(train, batch_size=batch, shuffle=True, generator=torch.Generator().manual_seed(0))
    x_test, y_test = test.tensors
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        total, seen = 0.0, 0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            seen += len(y)
        model.eval()
        with torch.no_grad():
            logits = model(x_test)
            test_loss = loss_fn(logits, y_test).item()
            accuracy = (logits.argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch:2d}  train loss {total / seen:.4f}  test loss {test_loss:.4f}  "
              f"test accuracy {accuracy:.4f}  ({time.perf_counter() - start:.2f} s)")
    print(f"test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
