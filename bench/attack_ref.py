#!/usr/bin/python3
"""PyTorch side of bench/attack-bench.ts: PGD-40 L-inf (no random start, i.e. BIM; ART update order,
robustness.md §B.2) on the digits CNN over the 450 test points, on the same threads as modelguard.

The CNN is rebuilt from the ONNX fixture's initializers (so both sides attack the very same weights), the
points are the clean-correct ones (as modelguard's attack runner attacks only those), the loss is CE on true
labels. Prints one JSON object: wall and CPU (user + system, all threads) seconds of each run, attacked
points, steps, robust accuracy.

With --art the same attack runs through ART's ProjectedGradientDescent (PyTorch estimator, num_random_init=0)
instead of the plain torch loop. ART is never installed or committed: its source must be exported to
bench/.work/art (see bench/poison-art.py) and is put on sys.path; a pass-through tqdm stand-in goes to
bench/.work/shim when tqdm is missing.

Usage: /usr/bin/python3 bench/attack_ref.py [--threads 2] [--eps 0.1] [--steps 40] [--batch 256] [--runs 3] [--art]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'scripts', 'fixtures'))
sys.path.insert(0, HERE)
from art_source import use_art_source  # noqa: E402
from digits_cnn import CNN  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FIX = os.path.join(ROOT, 'test', 'fixtures', 'attack')


def load_cnn():
    m = onnx.load(os.path.join(FIX, 'digits_cnn.onnx'))
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    model = CNN()
    model.load_state_dict({k: weights[k] for k in model.state_dict()})
    return model.eval()


def bim(model, x, y, eps, steps, alpha, batch):
    out = []
    for s in range(0, len(x), batch):
        x0, yb = x[s:s + batch], y[s:s + batch]
        adv = x0.clone()
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model(adv), yb, reduction='sum')
            (g,) = torch.autograd.grad(loss, adv)
            with torch.no_grad():
                adv = torch.clamp(adv + alpha * torch.sign(g), 0, 1)
                adv = x0 + torch.clamp(adv - x0, -eps, eps)
        out.append(adv.detach())
    return torch.cat(out)


def art_attack(model, eps, steps, alpha, batch):
    """ART's PGD (PyTorch implementation) as a function of (x, y), like bim()."""
    use_art_source()
    from art.attacks.evasion import ProjectedGradientDescent
    from art.estimators.classification import PyTorchClassifier
    clf = PyTorchClassifier(model=model, loss=nn.CrossEntropyLoss(), input_shape=(1, 8, 8), nb_classes=10,
                            clip_values=(0.0, 1.0), device_type='cpu')
    attack = ProjectedGradientDescent(clf, norm=np.inf, eps=eps, eps_step=alpha, max_iter=steps, targeted=False,
                                      num_random_init=0, batch_size=batch, verbose=False)

    def run(model_, x, y, *_):
        return torch.from_numpy(attack.generate(x=x.numpy(), y=y.numpy()))
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--eps', type=float, default=0.1)
    ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--art', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    model = load_cnn()
    for p in model.parameters():
        p.requires_grad_(False)
    d = np.load(os.path.join(FIX, 'digits_test.npz'))
    x, y = torch.from_numpy(d['x']), torch.from_numpy(d['y'])
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    xa, ya = x[ok], y[ok]
    alpha = 2.5 * a.eps / a.steps
    attack = art_attack(model, a.eps, a.steps, alpha, a.batch) if a.art else bim
    bim(model, xa[:8], ya[:8], a.eps, 2, alpha, a.batch)  # warm-up
    seconds, cpu = [], []
    adv = None
    for _ in range(a.runs):
        t, c = time.perf_counter(), time.process_time()
        adv = attack(model, xa, ya, a.eps, a.steps, alpha, a.batch)
        seconds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    with torch.no_grad():
        robust = int((model(adv).argmax(1) == ya).sum())
    print(json.dumps({
        'impl': 'art' if a.art else 'torch', 'torch': torch.__version__, 'threads': a.threads, 'eps': a.eps, 'steps': a.steps, 'stepSize': alpha,
        'batch': a.batch, 'points': len(y), 'attacked': len(ya), 'seconds': seconds, 'cpuSeconds': cpu,
        'robustAccuracy': robust / len(y), 'cleanAccuracy': float(ok.float().mean()),
    }))


if __name__ == '__main__':
    main()
