#!/usr/bin/python3
"""Module state dicts through safetensors, both directions between PyTorch and vectorgrad
(StateDictSafetensorsTest).

  /usr/bin/python3 gen_state_dict.py              writes state_dict/<model>.safetensors (PyTorch's
                                                  state_dict), <model>_input.npy and <model>_output.npy
                                                  (the eval-mode forward of PyTorch on that input)
  /usr/bin/python3 gen_state_dict.py check DIR    loads every DIR/<model>.safetensors that vectorgrad
                                                  wrote into the same PyTorch model (strict), runs it on
                                                  DIR/<model>_input.npy and compares with vectorgrad's
                                                  DIR/<model>_output.npy; also checks the key order

The safetensors files are written per the format (the `safetensors` package is not installed here):
u64 little-endian header length, JSON header, then the raw little-endian bytes, by element size
(largest first, then by name; the reference writer also sorts by dtype then name, which keeps every
tensor aligned for zero-copy mapping).
Both models are built here and in the Java test from the same architecture:
  mlp:  Sequential(Linear(5, 16), ReLU(), Linear(16, 3))
  norm: Sequential(Linear(6, 8), LayerNorm(8), ReLU(), Linear(8, 4), BatchNorm1d(4))
        (BatchNorm1d has buffers running_mean, running_var and the int64 0-dim num_batches_tracked;
        a few train-mode batches move them away from their initial values)
"""
import json, os, struct, sys
import numpy as np
import torch
from torch import nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'state_dict')
ST_DTYPE = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64', torch.bool: 'BOOL'}
NP_DTYPE = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8', 'BOOL': '|b1'}


def models():
    return {
        'mlp': (nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3)), 5),
        'norm': (nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 4), nn.BatchNorm1d(4)), 6),
    }


def save_safetensors(path, state):
    """safetensors.torch.save_file(state, path), per the format."""
    order = sorted(state.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, blobs, pos = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, t in order:
        raw = t.detach().contiguous().numpy().astype(NP_DTYPE[ST_DTYPE[t.dtype]]).tobytes()
        header[name] = {'dtype': ST_DTYPE[t.dtype], 'shape': list(t.shape), 'data_offsets': [pos, pos + len(raw)]}
        blobs.append(raw)
        pos += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def load_safetensors(path):
    """safetensors.torch.load_file(path), per the format: (ordered dict of tensors, header order)."""
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for k, v in header.items():
        b, e = v['data_offsets']
        a = np.frombuffer(data[8 + n + b:8 + n + e], dtype=NP_DTYPE[v['dtype']]).reshape(v['shape'])
        out[k] = torch.from_numpy(a.copy())
    return out


def generate():
    os.makedirs(HERE, exist_ok=True)
    torch.manual_seed(9)
    for name, (model, features) in models().items():
        if name == 'norm':   # move BatchNorm's running statistics and counter off their initial values
            model.train()
            with torch.no_grad():
                for _ in range(3):
                    model(torch.randn(10, features) * 2 + 1)
        model.eval()
        x = torch.randn(7, features, dtype=torch.float32)
        with torch.no_grad():
            y = model(x)
        save_safetensors(os.path.join(HERE, name + '.safetensors'), model.state_dict())
        np.save(os.path.join(HERE, name + '_input.npy'), x.numpy())
        np.save(os.path.join(HERE, name + '_output.npy'), y.numpy())
        print(name, list(model.state_dict()))


def check(d):
    bad = 0
    for name, (model, features) in models().items():
        path = os.path.join(d, name + '.safetensors')
        state = load_safetensors(path)
        expected_keys = set(model.state_dict())
        if set(state) != expected_keys:
            print('FAIL keys', path, sorted(state), sorted(expected_keys)); bad += 1
            continue
        model.load_state_dict(state, strict=True)
        model.eval()
        x = torch.from_numpy(np.load(os.path.join(d, name + '_input.npy')))
        got = torch.from_numpy(np.load(os.path.join(d, name + '_output.npy')))
        with torch.no_grad():
            y = model(x)
        err = (y - got).abs().max().item()
        ok = y.shape == got.shape and torch.allclose(y, got, rtol=1e-5, atol=1e-5)
        print(('ok  ' if ok else 'FAIL'), name, 'max abs difference', err)
        bad += not ok
    print(f'checked {len(models())} models: {"OK" if bad == 0 else str(bad) + " failures"}')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'check':
        check(sys.argv[2])
    else:
        generate()
