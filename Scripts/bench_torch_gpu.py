"""PyTorch's best on one GPU without TensorRT, the peer of `octet bench --target cuda`: fp16, channels_last,
cuDNN autotuning, the whole forward captured in a CUDA graph and replayed, timed with CUDA events.

    python3 Scripts/bench_torch_gpu.py --models resnet18,resnet50,mobilenet_v2 --batches 1,256 [--repeat 100]

Prints one JSON object per line: model, batch, median_ms, min_ms, images_per_s, device. Weights are random
(torchvision's architectures; the speed does not depend on the values)."""
import argparse
import json
import sys

import torch


def build(name):
    import torchvision
    return getattr(torchvision.models, name)(weights=None)


def time_model(model, batch, repeat, warmup=10):
    x = torch.randn(batch, 3, 224, 224, device="cuda", dtype=torch.half).to(memory_format=torch.channels_last)
    static_x = x.clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream), torch.inference_mode():
        for _ in range(warmup):
            model(static_x)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.inference_mode(), torch.cuda.graph(graph):
        model(static_x)
    for _ in range(warmup):
        graph.replay()
    torch.cuda.synchronize()
    samples = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end))
    samples.sort()
    return samples[len(samples) // 2], samples[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="resnet18,resnet50,mobilenet_v2")
    parser.add_argument("--batches", default="1,256")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("bench_torch_gpu: SKIPPED: no CUDA device for PyTorch", file=sys.stderr)
        return 0
    torch.backends.cudnn.benchmark = True
    device = torch.cuda.get_device_name(0)
    for name in args.models.split(","):
        try:
            model = build(name).cuda().half().eval().to(memory_format=torch.channels_last)
        except Exception as e:  # torchvision missing, or an unknown name: say so and go on
            print(f"bench_torch_gpu: SKIPPED {name}: {e}", file=sys.stderr)
            continue
        for batch in (int(b) for b in args.batches.split(",")):
            median, best = time_model(model, batch, args.repeat if batch < 64 else max(10, args.repeat // 5))
            print(json.dumps({"model": name, "batch": batch, "median_ms": round(median, 4), "min_ms": round(best, 4),
                              "images_per_s": round(batch * 1000 / median, 1), "device": device,
                              "peer": "pytorch fp16 channels_last cuda-graph"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
