#!/usr/bin/env python3
"""Set-up-time readers for the two source formats that need a PyPI library (run by `tlab data install`
inside its own venv with pyarrow and rdata pinned; the harness itself reads only its own format).

  convert_special.py parquet-column FILE.parquet COLUMN OUT.txt
      one value per line of a string column (GloVe's word index).
  convert_special.py r-lazyload DIR/Rdata OUT_DIR
      every character vector of an R lazy-load database (Rdata.rdx + Rdata.rdb: a gzip'd index of
      (offset, length) pairs; each entry is a 4-byte big-endian length and a zlib stream of an R
      serialization) written as OUT_DIR/<name>.txt, one element per line (newlines inside an
      element become \\n escapes).
  convert_special.py onnx-bert MODEL.onnx PREFIX OUT.safetensors
      the weights of an exported BERT encoder under Hugging Face's names (PREFIX stripped): named
      initializers as they are; each unnamed MatMul weight ([in, out]) named after the bias of the Add
      that consumes its product, and transposed to [out, in].
"""
import os
import sys
import zlib


def parquet_column(path, column, out):
    import pyarrow.parquet as pq
    values = pq.read_table(path, columns=[column]).column(column).to_pylist()
    with open(out, "w", encoding="utf-8") as fh:
        for v in values:
            if v is None or "\n" in v:
                raise SystemExit(f"{path}: value {v!r} is empty or holds a newline")
            fh.write(v + "\n")


def r_lazyload(stem, out_dir):
    import rdata
    import warnings
    warnings.simplefilter("ignore")
    index = rdata.conversion.convert(rdata.parser.parse_file(stem + ".rdx"))
    blob = open(stem + ".rdb", "rb").read()
    os.makedirs(out_dir, exist_ok=True)
    for name, (offset, length) in index["variables"].items():
        chunk = blob[int(offset):int(offset) + int(length)]
        value = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(chunk[4:])))
        with open(os.path.join(out_dir, name + ".txt"), "w", encoding="utf-8") as fh:
            for element in list(value):
                fh.write(str(element).replace("\r\n", "\n").replace("\n", "\\n") + "\n")


def onnx_bert(path, prefix, out):
    import json
    import struct
    import numpy as np
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    initializers = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    tensors = {}
    for name, value in initializers.items():
        if name.startswith(prefix):
            tensors[name[len(prefix):]] = value
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        weights = [i for i in node.input if i in initializers and not i.startswith(prefix)]
        if not weights:
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [i for n in adds for i in n.input if i.startswith(prefix) and i.endswith(".bias")]
        if len(biases) != 1:
            raise SystemExit(f"{path}: MatMul {node.name} is not followed by one Add with a named bias")
        name = biases[0][len(prefix):-len(".bias")] + ".weight"
        tensors[name] = np.ascontiguousarray(initializers[weights[0]].T)
    header, offset = {}, 0
    for name in sorted(tensors):
        value = tensors[name].astype("<f4")
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + value.nbytes]}
        offset += value.nbytes
    blob = json.dumps(header, sort_keys=True).encode()
    blob += b" " * ((8 - (8 + len(blob)) % 8) % 8)
    with open(out, "wb") as fh:
        fh.write(struct.pack("<Q", len(blob)))
        fh.write(blob)
        for name in sorted(tensors):
            fh.write(tensors[name].astype("<f4").tobytes())


if __name__ == "__main__":
    if sys.argv[1] == "parquet-column":
        parquet_column(*sys.argv[2:5])
    elif sys.argv[1] == "r-lazyload":
        r_lazyload(*sys.argv[2:4])
    elif sys.argv[1] == "onnx-bert":
        onnx_bert(*sys.argv[2:5])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
