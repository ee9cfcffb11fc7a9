#!/usr/bin/env python3
"""Times an ONNX model on onnxruntime's CPU provider, as `octet bench` times it on Octet.

    python3 Scripts/bench_ort.py MODEL [--threads 2] [--repeat 30] [--warmup 3] [--batch 1]
Random float inputs (symbolic dimensions set to --batch, default 1), one run per measurement, `--warmup` untimed runs
first; prints one JSON object: median_ms, mean_ms, min_ms, max_ms, repeat, threads, onnxruntime version.
"""
import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=1, help="the size of symbolic dimensions")
    p.add_argument("--shape", help="the first input's whole shape, as D,D,..")
    args = p.parse_args()

    ort.set_default_logger_severity(3)  # quantize_static's files make onnxruntime list every unused initializer
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else args.batch for d in i.shape]
        if args.shape and not feeds:
            shape = [int(d) for d in args.shape.split(",")]
        feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
    for _ in range(args.warmup):
        session.run(None, feeds)
    samples = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        session.run(None, feeds)
        samples.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"median_ms": statistics.median(samples), "mean_ms": statistics.fmean(samples),
                      "min_ms": min(samples), "max_ms": max(samples), "repeat": args.repeat,
                      "threads": args.threads, "onnxruntime": ort.__version__}))


if __name__ == "__main__":
    main()
