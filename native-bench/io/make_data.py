#!/usr/bin/python3
"""Writes the io benchmark's data: the same float32 values as DIR/data.npy (numpy), DIR/data.safetensors
(per the format: the safetensors package is not installed here) and DIR/data.pt (torch.save of the
same tensors as a dict), SIZE MiB each, split into 8 tensors as a model's weights are.

  /usr/bin/python3 make_data.py DIR SIZE_MIB
"""
import json, os, struct, sys
import numpy as np

TENSORS = 8


def main(d, mib):
    os.makedirs(d, exist_ok=True)
    n = mib * (1 << 20) // 4
    n -= n % TENSORS
    # integers in [-1000, 1000): exact float32 sums in any order, so every system's sum can be compared
    data = (np.arange(n, dtype=np.int64) * 2654435761 % 2000 - 1000).astype('<f4')
    np.save(os.path.join(d, 'data.npy'), data)
    parts = np.split(data, TENSORS)
    header, pos = {'__metadata__': {'format': 'pt'}}, 0
    for i, p in enumerate(parts):
        header[f'layer{i}.weight'] = {'dtype': 'F32', 'shape': [len(p)], 'data_offsets': [pos, pos + p.nbytes]}
        pos += p.nbytes
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(os.path.join(d, 'data.safetensors'), 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for p in parts:
            f.write(p.tobytes())
    try:
        import torch
        torch.save({f'layer{i}.weight': torch.from_numpy(p) for i, p in enumerate(parts)}, os.path.join(d, 'data.pt'))
    except ImportError:
        print('make_data.py: torch not installed, no data.pt', file=sys.stderr)
    print(f'{d}: {n * 4} bytes per file', file=sys.stderr)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
