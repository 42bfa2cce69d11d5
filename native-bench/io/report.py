#!/usr/bin/python3
"""Markdown table of the io benchmark (run.sh's io.csv) and the issue's targets, met or not.

  /usr/bin/python3 report.py io.csv
"""
import csv, sys
from collections import defaultdict

WORKLOADS = [
    ('safetensors_open_mapped', 'open safetensors + get every tensor (mapped)'),
    ('npy_open_mapped', 'open .npy mapped (Npy.map / np.load(mmap_mode="r"))'),
    ('safetensors_close', 'close (unmap) the safetensors file'),
    ('npy_close', 'close (unmap) the .npy file'),
    ('safetensors_read_copy', 'copying load, safetensors (Safetensors.read)'),
    ('npy_read_copy', 'copying load, .npy (Npy.read / np.load)'),
    ('torch_load_copy', 'torch.load of the same tensors (torch.save file)'),
    ('sum_mapped_first_pass', 'sum() over a fresh mapping (page faults)'),
    ('sum_mapped', 'sum() over a mapped tensor'),
    ('sum_pooled', 'sum() over a pooled (copied) tensor'),
]
SYSTEMS = ['vectorgrad', 'numpy', 'pytorch']


def fmt(seconds, gbps, workload):
    if workload.startswith('sum') or 'copy' in workload:
        return f'{seconds * 1e3:.3f} ms ({float(gbps):.1f} GB/s)'
    return f'{seconds * 1e6:.1f} us'


def main(path):
    rows = defaultdict(dict)
    sizes = []
    with open(path) as f:
        for r in csv.DictReader(f):
            mib = int(r['size_mib'])
            if mib not in sizes:
                sizes.append(mib)
            rows[(mib, r['workload'])][r['system']] = (float(r['seconds']), r['gbps'])
    for mib in sizes:
        print(f'\n### {mib} MiB (median time; GB/s = file bytes / time)\n')
        print('| workload | ' + ' | '.join(SYSTEMS) + ' |')
        print('|---|' + '---|' * len(SYSTEMS))
        for w, label in WORKLOADS:
            cells = [fmt(*rows[(mib, w)][s], w) if s in rows[(mib, w)] else '' for s in SYSTEMS]
            if any(cells):
                print(f'| {label} | ' + ' | '.join(cells) + ' |')

    print('\n### Targets\n')
    def t(mib, w, s='vectorgrad'):
        return rows.get((mib, w), {}).get(s, (float('nan'), 'nan'))[0]
    big, small = max(sizes), min(sizes)
    checks = []
    for w in ('safetensors_open_mapped', 'npy_open_mapped'):
        checks.append((f'{w} under 1 ms at {big} MiB', t(big, w) < 1e-3, f'{t(big, w) * 1e6:.1f} us'))
        if big != small:
            ratio = t(big, w) / t(small, w)
            checks.append((f'{w} independent of size ({small} vs {big} MiB: within 3x)', ratio < 3, f'{ratio:.2f}x'))
    for w in ('npy_read_copy',):
        v, n = t(big, w), t(big, w, 'numpy')
        checks.append((f'{w} at least as fast as numpy np.load ({big} MiB)', v <= n * 1.05, f'{v * 1e3:.2f} vs {n * 1e3:.2f} ms'))
    v, n = t(big, 'safetensors_read_copy'), t(big, 'npy_read_copy', 'numpy')
    checks.append((f'safetensors_read_copy at least as fast as numpy np.load ({big} MiB)', v <= n * 1.05, f'{v * 1e3:.2f} vs {n * 1e3:.2f} ms'))
    m, p = t(big, 'sum_mapped'), t(big, 'sum_pooled')
    checks.append((f'sum() over a mapped tensor at the GB/s of a pooled one ({big} MiB, within 10%)', m <= p * 1.10,
                   f'{m * 1e3:.2f} vs {p * 1e3:.2f} ms'))
    print('| target | met | measured |')
    print('|---|---|---|')
    for name, ok, measured in checks:
        print(f'| {name} | {"met" if ok else "NOT met"} | {measured} |')


if __name__ == '__main__':
    main(sys.argv[1])
