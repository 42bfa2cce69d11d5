#!/usr/bin/python3
"""Golden for DigitsEquivalenceTest: the digits MLP of the main job trained by real PyTorch, recorded step by step.

  /usr/bin/python3 gen_digits_mlp.py      # writes digits_mlp.json beside this script (Debian python3-torch 1.13,
                                          # python3-sklearn)

The recipe is train_pytorch.py's (inputs / 16, seeded 80/20 random_split, nn.Sequential(Linear(64, 128), ReLU(),
Linear(128, 10)) with PyTorch's default init, CrossEntropyLoss, Adam(lr=1e-3), shuffled batches of 32, the last
batch of each epoch smaller). PyTorch's random streams differ from vectorgrad's, so everything random is recorded
explicitly for the Java side to replay:
  weights      initial parameters (state_dict names and shapes), float32 values in shortest round-trip form
  batches      for each step, the indices of its samples in sklearn.datasets.load_digits() order (the order of
               vectorgrad's bundled Digits.load())
  losses       the cross-entropy of each step's batch (forward before that step's update), as float32
  final        the parameters after the last step
  test         the held-out indices and the final test loss/accuracy over them
"""
import json
import os

import numpy as np
import sklearn.datasets
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

STEPS = 300
torch.set_num_threads(1)
torch.manual_seed(0)

d = sklearn.datasets.load_digits()
x = torch.tensor(d.data, dtype=torch.float32) / 16.0
y = torch.tensor(d.target, dtype=torch.int64)
full = TensorDataset(x, y, torch.arange(len(y)))  # the third tensor carries each sample's index in the full set
train, test = random_split(full, [0.8, 0.2], generator=torch.Generator().manual_seed(0))

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(train, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))

batches, losses = [], []
while len(losses) < STEPS:
    for xb, yb, ib in loader:
        if len(losses) == STEPS:
            break
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        batches.append(ib.tolist())
        losses.append(loss.item())

test_idx = torch.tensor(test.indices)
with torch.no_grad():
    logits = model(x[test_idx])
    test_loss = loss_fn(logits, y[test_idx]).item()
    test_acc = (logits.argmax(1) == y[test_idx]).float().mean().item()


def f32(values):
    return "[" + ",".join(str(np.float32(v)) for v in values) + "]"


def params(state):
    parts = []
    for k, v in state.items():
        parts.append('    "%s": {"shape": %s, "values": %s}' % (k, json.dumps(list(v.shape)), f32(v.flatten().tolist())))
    return "{\n" + ",\n".join(parts) + "\n  }"


out = ["{",
       '  "torch": %s,' % json.dumps(torch.__version__),
       '  "recipe": "inputs/16; Linear(64,128) ReLU Linear(128,10); CrossEntropyLoss; Adam(lr=1e-3); batch 32 shuffled",',
       '  "lr": 0.001,',
       '  "steps": %d,' % STEPS,
       '  "weights": %s,' % params(initial),
       '  "batches": [\n    ' + ",\n    ".join(json.dumps(b) for b in batches) + "\n  ],",
       '  "losses": %s,' % f32(losses),
       '  "final": %s,' % params({k: v.detach() for k, v in model.state_dict().items()}),
       '  "test": {"indices": %s, "loss": %s, "accuracy": %s}' % (json.dumps(test_idx.tolist()), np.float32(test_loss),
                                                                 np.float32(test_acc)),
       "}"]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits_mlp.json")
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
print(f"wrote {path}: {STEPS} steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}, test accuracy after {STEPS} steps {test_acc:.4f}")
