#!/usr/bin/python3
"""ART side of bench/poison-bench.ts: ART's ActivationDefence and SpectralSignatureDefense on the poisoned digits
fixtures (test/fixtures/poison, made by scripts/fixtures/make_poison_fixtures.py), with precision and recall
over the whole training set against the ground truth in poison_indices.json.

ART is never installed or committed: its source is exported to bench/.work/art (git-ignored), e.g.
  git --git-dir=<mirror of Trusted-AI/adversarial-robustness-toolbox> archive HEAD art | tar -x -C bench/.work/art
and put on sys.path. ART imports tqdm only for progress bars; when tqdm is missing a pass-through stand-in is
written to bench/.work/shim. Needs numpy, scipy, scikit-learn and torch (Debian's python3 packages).

Each trojaned CNN is rebuilt in PyTorch from its ONNX initializers as an nn.Sequential, so ART sees the layers
'0'..'8'. ART's detectors always take the LAST layer (ART #1810 / #1135): with the full model that is the
logits (ART as users run it); we also hand ART the model cut after the penultimate ReLU, so its last layer is
the 64-d penultimate activation our detectors use. Settings per run are in the output.

Prints one JSON object (also written to bench/.work/poison-art.json).
Usage: /usr/bin/python3 bench/poison-art.py
"""

import json
import os
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
WORK = os.path.join(ROOT, 'bench', '.work')
FIX = os.path.join(ROOT, 'test', 'fixtures', 'poison')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from art_source import use_art_source  # noqa: E402


def import_art():
    use_art_source()
    from art.defences.detector.poison import ActivationDefence, SpectralSignatureDefense
    from art.estimators.classification import PyTorchClassifier
    return ActivationDefence, SpectralSignatureDefense, PyTorchClassifier


def main():
    import numpy as np
    import onnx
    import torch
    import torch.nn as nn
    from onnx import numpy_helper

    ActivationDefence, SpectralSignatureDefense, PyTorchClassifier = import_art()
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(FIX, 'poison_indices.json')))

    def sequential(model_file):
        w = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
             for t in onnx.load(os.path.join(FIX, model_file)).graph.initializer}
        seq = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10),
        )
        for i, name in ((0, 'conv1'), (2, 'conv2'), (6, 'fc1'), (8, 'fc2')):
            seq[i].weight.data.copy_(w[name + '.weight'])
            seq[i].bias.data.copy_(w[name + '.bias'])
        return seq.eval()

    def wrap(module):
        return PyTorchClassifier(model=module, loss=nn.CrossEntropyLoss(), input_shape=(1, 8, 8), nb_classes=10,
                                 clip_values=(0.0, 1.0))

    def score(is_clean, truth):
        flagged = {i for i, c in enumerate(is_clean) if c == 0}
        tp = len(flagged & truth)
        return {'flagged': len(flagged), 'tp': tp, 'fp': len(flagged) - tp, 'fn': len(truth) - tp,
                'precision': round(tp / len(flagged), 4) if flagged else 0.0, 'recall': round(tp / len(truth), 4)}

    out = {'art': 'Trusted-AI/adversarial-robustness-toolbox (source in bench/.work/art)', 'sets': {}}
    for name, s in meta['sets'].items():
        d = np.load(os.path.join(FIX, s['train']))
        x, y = d['x'], d['y']
        y1 = np.eye(10, dtype=np.float32)[y]
        truth = set(s['poisonIndices'])
        full = sequential(s['model'])
        models = {'logits (ART default: last layer)': wrap(full),
                  'penultimate (model cut after fc1 ReLU)': wrap(nn.Sequential(*list(full)[:8]).eval())}
        rows = []
        for layer, clf in models.items():
            for analysis in ('smaller', 'relative-size'):
                np.random.seed(0)
                t0 = time.time()
                ad = ActivationDefence(clf, x, y1)
                _, is_clean = ad.detect_poison(nb_clusters=2, nb_dims=10, reduce='PCA', cluster_analysis=analysis)
                rows.append({'detector': 'ART ActivationDefence', 'layer': layer,
                             'settings': f'PCA-10, 2 clusters, {analysis}', 'seconds': round(time.time() - t0, 3),
                             **score(is_clean, truth)})
            for eps, label in ((0.33, 'ART default expected_pp_poison 0.33'), (s['epsClass'], 'expected_pp_poison = ε_cls')):
                t0 = time.time()
                ss = SpectralSignatureDefense(clf, x, y1, batch_size=128, eps_multiplier=1.5,
                                              expected_pp_poison=eps)
                _, is_clean = ss.detect_poison()
                rows.append({'detector': 'ART SpectralSignatureDefense', 'layer': layer,
                             'settings': f'{label}, eps_multiplier 1.5', 'seconds': round(time.time() - t0, 3),
                             **score(is_clean, truth)})
        out['sets'][name] = {'target': s['target'], 'poisoned': len(truth), 'epsClass': s['epsClass'], 'rows': rows}
    os.makedirs(WORK, exist_ok=True)
    text = json.dumps(out, indent=1)
    with open(os.path.join(WORK, 'poison-art.json'), 'w') as f:
        f.write(text + '\n')
    print(text)


if __name__ == '__main__':
    main()
