#!/usr/bin/python3
"""Fixtures for dev.vectorgrad.io (IoTest), and the check that numpy reads what vectorgrad writes.

  /usr/bin/python3 gen_io.py              writes the fixtures and manifest.json next to this script
  /usr/bin/python3 gen_io.py check DIR    reads DIR/manifest.json (written by IoTest) and checks every
                                          file vectorgrad wrote there with np.load (safetensors: per the
                                          format with json + numpy) bit-exactly

.npy/.npz files are written by numpy itself (np.lib.format.write_array, np.savez, np.savez_compressed).
safetensors files are written per the format (the safetensors package is not installed here):
u64 little-endian header length, JSON header, raw little-endian bytes.
manifest.json lists, per file and array, the dtype vectorgrad must read it as, the shape, whether it is
Fortran-ordered, and the expected bytes (row-major, little-endian) as hex.
"""
import io, json, os, struct, sys, zipfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = {'f4': 'float32', 'f8': 'float64', 'i8': 'int64', 'b1': 'bool', 'i4': 'int64', 'u1': 'int64',
          'i2': 'int64', 'i1': 'int64', 'u2': 'int64', 'u4': 'int64', 'f2': 'float32'}
VG = {'float32': '<f4', 'float64': '<f8', 'int64': '<i8', 'bool': '|b1'}


def values(code, shape, rng):
    n = int(np.prod(shape))
    if code.startswith('f'):
        v = rng.standard_normal(n) * 100
        if n >= 4:
            v[:4] = [np.inf, -np.inf, np.nan, -0.0]
        if code == 'f2' and n >= 6:
            v[4:6] = [6e-8, 65504]   # a subnormal and the largest half
        return v.astype(code).reshape(shape)
    if code == 'b1':
        return (rng.random(n) < 0.5).reshape(shape)
    info = np.iinfo(code)
    v = rng.integers(info.min, info.max, size=n, endpoint=True, dtype=np.int64 if code != 'u8' else np.uint64)
    if n >= 2:
        v[0], v[1] = info.min, info.max
    return v.astype(code).reshape(shape)


def expect(a, target):
    c = np.ascontiguousarray(a).astype(np.dtype(VG[target]))
    return {'dtype': target, 'shape': list(a.shape), 'fortran': bool(a.flags.f_contiguous and not a.flags.c_contiguous),
            'hex': c.tobytes().hex()}


def save_npy(name, a, version=(1, 0)):
    with open(os.path.join(HERE, name), 'wb') as f:
        np.lib.format.write_array(f, a, version=version, allow_pickle=False)


def st_bytes(tensors, metadata=None):
    header, blobs, pos = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for name, (dt, shape, raw) in tensors.items():
        header[name] = {'dtype': dt, 'shape': list(shape), 'data_offsets': [pos, pos + len(raw)]}
        blobs.append(raw)
        pos += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(blobs)


def generate():
    rng = np.random.default_rng(9)
    manifest = []
    for code in TARGET:
        for order in (['<', '>'] if code not in ('b1', 'u1', 'i1') else ['|']):
            dt = np.dtype(order + code if order != '|' else code)
            for layout, shape in (('c', (2, 3)), ('f', (2, 3, 4)), ('scalar', ()), ('empty', (0, 3))):
                a = values(code, shape, rng).astype(dt)
                if layout == 'f':
                    a = np.asfortranarray(a)
                name = f"{code}_{'be' if order == '>' else 'le'}_{layout}.npy"
                save_npy(name, a)
                manifest.append({'file': name, 'kind': 'npy', 'arrays': {'': expect(a, TARGET[code])}})
    for version in ((2, 0), (3, 0)):
        a = values('f8', (3, 5), rng)
        name = f'v{version[0]}_f8.npy'
        save_npy(name, a, version)
        manifest.append({'file': name, 'kind': 'npy', 'arrays': {'': expect(a, 'float64')}})
    big = rng.integers(-1000, 1000, size=(128, 512)).astype('<f4')   # 256 KiB of integers (exact sums), mapped-sum test
    save_npy('big_f4.npy', big)

    arrays = {'weight': values('f4', (4, 3), rng), 'bias': values('f8', (3,), rng), 'idx': values('i8', (5,), rng),
              'mask': values('b1', (2, 2), rng), 'small': values('i2', (3,), rng), 'half': values('f2', (6,), rng),
              'fortran': np.asfortranarray(values('f4', (3, 4), rng)), 'scalar': values('f8', (), rng),
              'empty': values('f4', (0,), rng), 'big_endian': values('f8', (4,), rng).astype('>f8')}
    exp = {k: expect(v, TARGET[v.dtype.str[1:]]) for k, v in arrays.items()}
    np.savez(os.path.join(HERE, 'stored.npz'), **arrays)
    np.savez_compressed(os.path.join(HERE, 'deflated.npz'), **arrays)
    for name in ('stored.npz', 'deflated.npz'):
        with zipfile.ZipFile(os.path.join(HERE, name)) as z:
            method = {zipfile.ZIP_STORED: 'stored', zipfile.ZIP_DEFLATED: 'deflated'}
            assert {method[i.compress_type] for i in z.infolist()} == {name.split('.')[0]}
        manifest.append({'file': name, 'kind': 'npz', 'arrays': exp})

    f32 = values('f4', (3, 4), rng)
    f16 = values('f2', (2, 4), rng)
    bf = values('f4', (5,), rng)
    bf16 = (bf.view(np.uint32) >> 16).astype('<u2')   # truncation: these bits are exact bf16 values
    tensors = {
        'f64': ('F64', (2, 2), values('f8', (2, 2), rng)), 'i64': ('I64', (3,), values('i8', (3,), rng)),
        'f32': ('F32', (3, 4), f32), 'i32': ('I32', (4,), values('i4', (4,), rng)),
        'f16': ('F16', (2, 4), f16), 'bf16': ('BF16', (5,), bf16), 'u8': ('U8', (3,), values('u1', (3,), rng)),
        'bool': ('BOOL', (2, 3), values('b1', (2, 3), rng)), 'scalar': ('F32', (), values('f4', (), rng)),
        'empty': ('F32', (0, 2), values('f4', (0, 2), rng)),
    }
    raw = {k: (dt, shape, np.ascontiguousarray(v).astype(v.dtype.newbyteorder('<')).tobytes()) for k, (dt, shape, v) in tensors.items()}
    with open(os.path.join(HERE, 'model.safetensors'), 'wb') as f:
        f.write(st_bytes(raw, {'format': 'pt', 'note': 'fixture \u00e9'}))
    exps = {}
    for k, (dt, shape, v) in tensors.items():
        if dt == 'BF16':
            exps[k] = {'dtype': 'float32', 'shape': list(shape), 'fortran': False,
                       'hex': (v.astype(np.uint32) << 16).view('<f4').tobytes().hex()}
        else:
            exps[k] = expect(v, TARGET[v.dtype.str[1:]])
    manifest.append({'file': 'model.safetensors', 'kind': 'safetensors', 'metadata': {'format': 'pt', 'note': 'fixture \u00e9'},
                     'arrays': exps})
    with open(os.path.join(HERE, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    print(len(manifest), 'fixture files')


def read_st(path):
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', None)
    np_dt = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8', 'BOOL': '|b1'}
    out = {}
    for k, v in header.items():
        b, e = v['data_offsets']
        out[k] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=np_dt[v['dtype']]).reshape(v['shape'])
    return out, meta


def check(d):
    with open(os.path.join(d, 'manifest.json')) as f:
        manifest = json.load(f)
    bad = 0
    for entry in manifest:
        path = os.path.join(d, entry['file'])
        if entry['kind'] == 'npy':
            got = {'': np.load(path, allow_pickle=False)}
        elif entry['kind'] == 'npz':
            with np.load(path, allow_pickle=False) as z:
                got = {k: z[k] for k in z.files}
        else:
            got, meta = read_st(path)
            if (meta or {}) != entry.get('metadata', {}):
                print('FAIL metadata', path, meta); bad += 1
        if list(got) != list(entry['arrays']) and entry['kind'] != 'safetensors':
            print('FAIL keys', path, list(got), list(entry['arrays'])); bad += 1
        for k, e in entry['arrays'].items():
            a = got.get(k)
            ok = a is not None and a.dtype == np.dtype(VG[e['dtype']]) and list(a.shape) == e['shape'] \
                and np.ascontiguousarray(a).tobytes().hex() == e['hex']
            if not ok:
                print('FAIL', path, k, None if a is None else (a.dtype, a.shape)); bad += 1
    print(f'checked {len(manifest)} files: {"OK" if bad == 0 else str(bad) + " failures"}')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'check':
        check(sys.argv[2])
    else:
        generate()
