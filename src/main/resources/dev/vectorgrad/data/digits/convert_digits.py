#!/usr/bin/python3
"""Converts scikit-learn's bundled digits (sklearn/datasets/data/digits.csv.gz, BSD-3-Clause) into the
two IDX files vectorgrad ships beside this script and reads with dev.vectorgrad.data.Digits.load():

  digits-images-idx3-ubyte.gz   1797 x 8 x 8 unsigned bytes (pixel counts 0..16), magic 0x00000803
  digits-labels-idx1-ubyte.gz   1797 unsigned bytes (0..9), magic 0x00000801

The images and labels are exactly those of sklearn.datasets.load_digits() (same order); the script
checks that. Run from anywhere, with Debian's python3-sklearn installed (apt-get install python3-sklearn):

  /usr/bin/python3 src/main/resources/dev/vectorgrad/data/digits/convert_digits.py [path/to/digits.csv.gz]

The gzip files carry no name and a zero timestamp, so rerunning it reproduces them byte for byte.
"""
import gzip
import hashlib
import os
import struct
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))

if len(sys.argv) > 1:
    source = sys.argv[1]
else:
    import sklearn.datasets
    source = os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", "digits.csv.gz")

# Same parsing as sklearn.datasets.load_digits: 65 comma-separated numbers per row, the last the label.
data = np.loadtxt(source, delimiter=",")
assert data.shape == (1797, 65), data.shape
pixels = data[:, :-1]
labels = data[:, -1]
assert np.all(pixels == np.round(pixels)) and pixels.min() >= 0 and pixels.max() <= 16
assert np.all(labels == np.round(labels)) and set(labels.astype(int)) == set(range(10))

try:  # cross-check against scikit-learn's own loader when it is importable
    import sklearn.datasets
    d = sklearn.datasets.load_digits()
    if os.path.samefile(source, os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", "digits.csv.gz")):
        assert np.array_equal(d.data, pixels) and np.array_equal(d.target, labels.astype(int))
        assert np.array_equal(d.images, pixels.reshape(-1, 8, 8))
except ImportError:
    pass


def write_idx(path, array, magic):
    raw = struct.pack(">i", magic) + b"".join(struct.pack(">i", s) for s in array.shape)
    raw += array.astype(np.uint8).tobytes()
    with open(path, "wb") as f:
        # mtime=0 and no file name in the gzip header: reproducible bytes
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
            g.write(raw)
    return hashlib.sha256(raw).hexdigest()


images_sha = write_idx(os.path.join(here, "digits-images-idx3-ubyte.gz"), pixels.reshape(-1, 8, 8), 0x00000803)
labels_sha = write_idx(os.path.join(here, "digits-labels-idx1-ubyte.gz"), labels, 0x00000801)
with open(source, "rb") as f:
    source_sha = hashlib.sha256(f.read()).hexdigest()
print(f"source {source} sha256 {source_sha}")
print(f"digits-images-idx3-ubyte (uncompressed) sha256 {images_sha}")
print(f"digits-labels-idx1-ubyte (uncompressed) sha256 {labels_sha}")
print("label counts:", np.bincount(labels.astype(int)).tolist(), "pixel sum:", int(pixels.sum()))
