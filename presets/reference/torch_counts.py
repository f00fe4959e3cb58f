#!/usr/bin/env python3
"""Parameter and MAC counts of convtui's whole-network presets, measured in PyTorch.

What it is for: checking the built-in whole-network presets (presets/*.json) against
PyTorch, to the unit.  Each network is built as an nn.Module -- torchvision's alexnet,
vgg16, resnet50, resnet152, squeezenet1_0 and mobilenet_v2 (weights=None), and modules
written here for GoogLeNet (the BVLC Caffe model, without the auxiliary heads), MobileNet
v1 (width 1.0) and NIN CIFAR-10 (the Caffe model zoo's) -- and run once on a zero tensor
with a forward hook on every leaf module.

Counting rules: params = sum of p.numel() over the parameters (batch norm counts its
weight and bias; running statistics are buffers and are not counted).  MACs: Conv2d
kh*kw*(Cin/groups)*Cout*Hout*Wout, Linear in*out, nothing for any other module.

    python presets/reference/torch_counts.py [NAME ...]   one line per network:
        NAME params=N macs=M output=C,H,W
    --check BIN   also run `BIN summary --preset NAME --json` and compare the totals
                  (params, MACs, output) and, in order, the params and MACs of every
                  layer with weights (conv, fc, batch_norm) with the PyTorch modules
                  that have parameters, in forward order; prints `ok` or each
                  difference, and exits 1 on any difference
    --json DIR    write DIR/NAME.json: the totals and every leaf module's row

Needs: pip install torch torchvision (and pillow, which torchvision imports).  When the
installed torch is newer than the one torchvision pins, install torchvision with
--no-deps so pip does not replace torch.

CI does not run this script: the Rust test suite (tests/integration/presets.rs) asserts
the totals it prints.
"""
import argparse
import json
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torchvision
import torchvision.models as tvm

KINDS = {nn.Conv2d: "conv", nn.Linear: "fc", nn.BatchNorm2d: "batch_norm"}


class Seq(nn.Module):
    """Named layers run in order, flattening before the first Linear (Caffe InnerProduct)."""

    def __init__(self, layers):
        super().__init__()
        for n, m in layers:
            self.add_module(n, m)

    def forward(self, x):
        for m in self._modules.values():
            if isinstance(m, nn.Linear) and x.dim() > 2:
                x = torch.flatten(x, 1)
            x = m(x)
        return x


class Inception(nn.Module):
    """A GoogLeNet Inception module; children carry the Caffe suffixes (1x1, 3x3_reduce, ...)."""

    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        for n, m in [
            ("1x1", nn.Conv2d(cin, c1, 1)), ("relu_1x1", nn.ReLU()),
            ("3x3_reduce", nn.Conv2d(cin, c3r, 1)), ("relu_3x3_reduce", nn.ReLU()),
            ("3x3", nn.Conv2d(c3r, c3, 3, padding=1)), ("relu_3x3", nn.ReLU()),
            ("5x5_reduce", nn.Conv2d(cin, c5r, 1)), ("relu_5x5_reduce", nn.ReLU()),
            ("5x5", nn.Conv2d(c5r, c5, 5, padding=2)), ("relu_5x5", nn.ReLU()),
            ("pool", nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True)),
            ("pool_proj", nn.Conv2d(cin, cp, 1)), ("relu_pool_proj", nn.ReLU()),
        ]:
            self.add_module(n, m)

    def forward(self, x):
        g = self._modules
        return torch.cat([
            g["relu_1x1"](g["1x1"](x)),
            g["relu_3x3"](g["3x3"](g["relu_3x3_reduce"](g["3x3_reduce"](x)))),
            g["relu_5x5"](g["5x5"](g["relu_5x5_reduce"](g["5x5_reduce"](x)))),
            g["relu_pool_proj"](g["pool_proj"](g["pool"](x))),
        ], 1)


def googlenet():
    """BVLC GoogLeNet (Caffe bvlc_googlenet deploy.prototxt); Caffe pools round up."""
    pool = lambda k, s: nn.MaxPool2d(k, stride=s, ceil_mode=True)  # noqa: E731
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)  # noqa: E731
    return Seq([
        ("conv1/7x7_s2", nn.Conv2d(3, 64, 7, stride=2, padding=3)), ("conv1/relu_7x7", nn.ReLU()),
        ("pool1/3x3_s2", pool(3, 2)), ("pool1/norm1", lrn()),
        ("conv2/3x3_reduce", nn.Conv2d(64, 64, 1)), ("conv2/relu_3x3_reduce", nn.ReLU()),
        ("conv2/3x3", nn.Conv2d(64, 192, 3, padding=1)), ("conv2/relu_3x3", nn.ReLU()),
        ("conv2/norm2", lrn()), ("pool2/3x3_s2", pool(3, 2)),
        ("inception_3a", Inception(192, 64, 96, 128, 16, 32, 32)),
        ("inception_3b", Inception(256, 128, 128, 192, 32, 96, 64)),
        ("pool3/3x3_s2", pool(3, 2)),
        ("inception_4a", Inception(480, 192, 96, 208, 16, 48, 64)),
        ("inception_4b", Inception(512, 160, 112, 224, 24, 64, 64)),
        ("inception_4c", Inception(512, 128, 128, 256, 24, 64, 64)),
        ("inception_4d", Inception(512, 112, 144, 288, 32, 64, 64)),
        ("inception_4e", Inception(528, 256, 160, 320, 32, 128, 128)),
        ("pool4/3x3_s2", pool(3, 2)),
        ("inception_5a", Inception(832, 256, 160, 320, 32, 128, 128)),
        ("inception_5b", Inception(832, 384, 192, 384, 48, 128, 128)),
        ("pool5/7x7_s1", nn.AvgPool2d(7, stride=1, ceil_mode=True)),
        ("pool5/drop_7x7_s1", nn.Dropout(0.4)),
        ("loss3/classifier", nn.Linear(1024, 1000)),
    ])


def mobilenet_v1():
    """MobileNet v1 (Howard et al. 2017), width 1.0; names as in the Keras application."""
    L = [("conv1", nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False)),
         ("conv1_bn", nn.BatchNorm2d(32)), ("conv1_relu", nn.ReLU())]
    c = 32
    for i, (co, s) in enumerate([(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                                 *[(512, 1)] * 5, (1024, 2), (1024, 1)], 1):
        L += [(f"conv_dw_{i}", nn.Conv2d(c, c, 3, stride=s, padding=1, groups=c, bias=False)),
              (f"conv_dw_{i}_bn", nn.BatchNorm2d(c)), (f"conv_dw_{i}_relu", nn.ReLU()),
              (f"conv_pw_{i}", nn.Conv2d(c, co, 1, bias=False)),
              (f"conv_pw_{i}_bn", nn.BatchNorm2d(co)), (f"conv_pw_{i}_relu", nn.ReLU())]
        c = co
    L += [("avgpool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(1024, 1000))]
    return Seq(L)


def nin_cifar10():
    """NIN for CIFAR-10 (Lin et al. 2013; the Caffe model zoo's train_val.prototxt)."""
    L = []

    def conv(n, relu, cin, cout, k, p=0):
        L.extend([(n, nn.Conv2d(cin, cout, k, padding=p)), (relu, nn.ReLU())])

    conv("conv1", "relu1", 3, 192, 5, 2)
    conv("cccp1", "relu_cccp1", 192, 160, 1)
    conv("cccp2", "relu_cccp2", 160, 96, 1)
    L += [("pool1", nn.MaxPool2d(3, stride=2, ceil_mode=True)), ("drop3", nn.Dropout(0.5))]
    conv("conv2", "relu2", 96, 192, 5, 2)
    conv("cccp3", "relu_cccp3", 192, 192, 1)
    conv("cccp4", "relu_cccp4", 192, 192, 1)
    L += [("pool2", nn.AvgPool2d(3, stride=2, ceil_mode=True)), ("drop6", nn.Dropout(0.5))]
    conv("conv3", "relu3", 192, 192, 3, 1)
    conv("cccp5", "relu_cccp5", 192, 192, 1)
    conv("cccp6", "relu_cccp6", 192, 10, 1)
    L.append(("pool3", nn.AvgPool2d(8, stride=1, ceil_mode=True)))
    return Seq(L)


# name -> (builder, input C,H,W, separator joining module paths)
NETS = {
    "googlenet": (googlenet, (3, 224, 224), "/"),
    "alexnet": (lambda: tvm.alexnet(weights=None), (3, 224, 224), "."),
    "vgg16": (lambda: tvm.vgg16(weights=None), (3, 224, 224), "."),
    "resnet50": (lambda: tvm.resnet50(weights=None), (3, 224, 224), "."),
    "resnet152": (lambda: tvm.resnet152(weights=None), (3, 224, 224), "."),
    "squeezenet1_0": (lambda: tvm.squeezenet1_0(weights=None), (3, 224, 224), "."),
    "mobilenet_v1": (mobilenet_v1, (3, 224, 224), "."),
    "mobilenet_v2": (lambda: tvm.mobilenet_v2(weights=None), (3, 224, 224), "."),
    "nin_cifar10": (nin_cifar10, (3, 32, 32), "."),
}


def chw(shape):
    """A shape without the batch dimension, padded to C,H,W (a Linear's (N,) is (N,1,1))."""
    return list(shape) + [1] * (3 - len(shape))


def own_params(m):
    return sum(p.numel() for p in m.parameters(recurse=False))


def leaves(model, sep, prefix=""):
    kids = list(model.named_children())
    if not kids:
        yield prefix, model
    for n, m in kids:
        yield from leaves(m, sep, f"{prefix}{sep}{n}" if prefix else n)


def measure(name):
    """Totals and one row per leaf-module call, in forward order."""
    build, shape, sep = NETS[name]
    model = build().eval()
    rows, calls = [], {}

    def hook(path):
        def run(m, inp, out):
            macs = 0
            if isinstance(m, nn.Conv2d):
                kh, kw = m.kernel_size
                macs = kh * kw * (m.in_channels // m.groups) * m.out_channels * out.shape[2] * out.shape[3]
            elif isinstance(m, nn.Linear):
                macs = m.in_features * m.out_features
            elif own_params(m) and not isinstance(m, nn.BatchNorm2d):
                raise RuntimeError(f"{name}: no counting rule for {path} ({type(m).__name__})")
            calls[path] = calls.get(path, 0) + 1
            rows.append(dict(name=path, kind=type(m).__name__, input=chw(inp[0].shape[1:]),
                             output=chw(out.shape[1:]), params=own_params(m), macs=macs))
        return run

    handles = [m.register_forward_hook(hook(p)) for p, m in leaves(model, sep)]
    with torch.no_grad():
        y = model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    # the rows add up to the model only if every module with parameters ran exactly once
    for path, m in leaves(model, sep):
        if own_params(m) and calls.get(path) != 1:
            raise RuntimeError(f"{name}: {path} has parameters and ran {calls.get(path, 0)} times")
    return dict(name=name, torch=torch.__version__, torchvision=torchvision.__version__,
                input=list(shape), output=chw(y.shape[1:]),
                params=sum(p.numel() for p in model.parameters()),
                macs=sum(r["macs"] for r in rows), layers=rows)


def convtui_summary(binary, name):
    """`BIN summary --preset NAME --json`, parsed; (None, error) if convtui fails."""
    p = subprocess.run([binary, "summary", "--preset", name, "--json"], capture_output=True, text=True)
    if p.returncode:
        return None, f"convtui failed (exit {p.returncode}): {p.stderr.strip()}"
    return json.loads(p.stdout), None


def differences(ref, doc):
    t = doc["totals"]
    out = [t["output"][k] for k in ("channels", "height", "width")]
    diffs = [f"{k}: convtui {a} vs torch {b}" for k, a, b in
             [("params", t["params"], ref["params"]), ("macs", t["macs"], ref["macs"]),
              ("output", ",".join(map(str, out)), ",".join(map(str, ref["output"])))] if a != b]
    mine = [r for r in doc["layers"] if r["kind"] in KINDS.values()]
    theirs = [r for r in ref["layers"] if r["params"]]
    if len(mine) != len(theirs):
        diffs.append(f"layers with weights: convtui {len(mine)} vs torch {len(theirs)}")
    for i, (a, b) in enumerate(zip(mine, theirs)):
        kind = KINDS.get(getattr(nn, b["kind"]))
        for k, va, vb in [("kind", a["kind"], kind), ("params", a["params"], b["params"]),
                          ("macs", a["macs"], b["macs"])]:
            if va != vb:
                diffs.append(f"weighted layer {i}: convtui {a['name']} ({a['kind']}) vs torch "
                             f"{b['name']} ({b['kind']}): {k} {va} vs {vb}")
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"default: all of {', '.join(NETS)}")
    ap.add_argument("--check", metavar="BIN", help="compare with `BIN summary --preset NAME --json`")
    ap.add_argument("--json", metavar="DIR", help="write DIR/NAME.json with totals and per-layer rows")
    args = ap.parse_args()
    unknown = [n for n in args.names if n not in NETS]
    if unknown:
        ap.error(f"unknown network {', '.join(unknown)}; known: {', '.join(NETS)}")
    failed = False
    for name in args.names or NETS:
        ref = measure(name)
        print(f"{name} params={ref['params']} macs={ref['macs']} output={','.join(map(str, ref['output']))}")
        if args.json:
            os.makedirs(args.json, exist_ok=True)
            with open(os.path.join(args.json, f"{name}.json"), "w") as f:
                json.dump(ref, f, indent=1)
        if args.check:
            doc, err = convtui_summary(args.check, name)
            diffs = [err] if err else differences(ref, doc)
            for d in diffs:
                print(f"  ! {d}")
            if not diffs:
                print("  ok")
            failed |= bool(diffs)
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
