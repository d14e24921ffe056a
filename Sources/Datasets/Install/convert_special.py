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


if __name__ == "__main__":
    if sys.argv[1] == "parquet-column":
        parquet_column(*sys.argv[2:5])
    elif sys.argv[1] == "r-lazyload":
        r_lazyload(*sys.argv[2:4])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
