#!/usr/bin/env python
"""Training-throughput benchmark of the BERT presets: tokens/s, seconds/step and model FLOPs utilisation.

MFU = 6 * parameters * tokens / seconds / peak FLOP/s (the usual dense-transformer estimate, forward +
backward, attention FLOPs ignored). The peak comes from --peak-tflops or, on GPUs, a table of dense
bf16 peaks by device name.

Usage:
    python scripts/bench_training.py --preset tiny --device cpu --steps 20             # CPU
    python scripts/bench_training.py --preset base --device cuda --bf16 --batch-size 32 --seq-len 512
    python scripts/bench_training.py --preset tiny --tokenizer rrweb-hf-run/tokenizer  # real vocab size
"""

import argparse
import json
import sys
import time

#: Dense bf16 tensor-core peaks (TFLOP/s), by substring of torch.cuda.get_device_name().
GPU_PEAK_TFLOPS = {
    "H200": 989.0,
    "H100": 989.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 125.0,
    "A10": 125.0,
    "RTX 4090": 165.0,
    "V100": 125.0,
    "T4": 65.0,
}


def main(argv=None) -> int:
    import torch

    from rrweb_hf.modeling import build_config, build_model, count_parameters, load_tokenizer

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="tiny", choices=["tiny", "small", "base"])
    p.add_argument("--tokenizer", default=None, help="tokenizer folder (gives the vocabulary size)")
    p.add_argument("--vocab-size", type=int, default=2500, help="vocabulary size when no --tokenizer")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--peak-tflops", type=float, default=None, help="device peak for MFU")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    if args.tokenizer:
        tok = load_tokenizer(args.tokenizer)
    else:
        from rrweb_hf.tokenization_rrweb import RRWebTokenizer

        tok = RRWebTokenizer()
        tok.add_tokens([f"[bench{i}]" for i in range(max(0, args.vocab_size - len(tok)))])
    config = build_config(tok, preset=args.preset, window_length=args.seq_len)
    model = build_model(config, seed=0).to(args.device)
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if args.compile:
        model = torch.compile(model)
    params = count_parameters(model)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(
        tok.text_id_offset if hasattr(tok, "text_id_offset") else 5,
        config.vocab_size,
        (args.batch_size, args.seq_len),
        generator=gen,
    )
    labels = torch.full_like(ids, -100)
    mask = torch.rand(ids.shape, generator=gen) < 0.15
    labels[mask] = ids[mask]
    ids, labels = ids.to(args.device), labels.to(args.device)
    attention = torch.ones_like(ids)

    def step():
        with torch.autocast(device_type=args.device.split(":")[0], dtype=torch.bfloat16, enabled=args.bf16):
            loss = model(input_ids=ids, attention_mask=attention, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    elapsed = time.perf_counter() - start
    tokens = args.batch_size * args.seq_len * args.steps
    peak = args.peak_tflops
    device_name = "cpu"
    if args.device.startswith("cuda"):
        device_name = torch.cuda.get_device_name()
        if peak is None:
            peak = next((v for k, v in GPU_PEAK_TFLOPS.items() if k in device_name), None)
    result = {
        "preset": args.preset,
        "device": device_name,
        "threads": torch.get_num_threads(),
        "parameters": params,
        "batch_size": args.batch_size,
        "seq_len": args.seq_len,
        "bf16": args.bf16,
        "steps": args.steps,
        "seconds_per_step": elapsed / args.steps,
        "tokens_per_second": tokens / elapsed,
        "model_tflops_per_second": 6 * params * tokens / elapsed / 1e12,
        "peak_tflops": peak,
        "mfu": (6 * params * tokens / elapsed / (peak * 1e12)) if peak else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v:.4g}" if isinstance(v, float) else f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
