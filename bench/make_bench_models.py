#!/usr/bin/python3
"""Writes the benchmark inputs for `npm run bench` into bench/.work/ (git-ignored; never commit them):

  (a) benign_500mb.pt   torch zip checkpoint: 250 float32 tensors x 500,000 elements (~500 MB)
  (b) many_tensors.pt   torch zip state dict of 20,000 small tensors (~7 MB; data.pkl ~2 MB, ~600k opcodes)
  (c) mixed/            200 files: small torch zips, legacy torch files, .npy/.npz, joblib scikit-learn
                        models (plain and compressed), plain pickles of several protocols, text/JSON files,
                        and 8 malicious files (names start with `malicious_`) whose pickles call
                        os.system('echo bench') on load

Run with Debian's interpreter (python3-torch 1.13, python3-numpy, python3-sklearn, python3-joblib):
    /usr/bin/python3 bench/make_bench_models.py [OUT_DIR=bench/.work]

Deterministic: every file's content comes from a fixed per-file seed, numpy/joblib time stamps are pinned.
(Legacy torch files key their storages by a memory address, torch's own behaviour, so their bytes -- not
their size or structure -- can differ between runs.) Idempotent: a file that already exists is skipped;
files are written into a `.tmp/` side folder and renamed, so an interrupted run never leaves a partial file.

Safety: the malicious samples are only *written* (pickling an object whose __reduce__ names os.system does
not call it). Nothing here ever loads a generated file.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import random
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

os.environ["TZ"] = "UTC"
time.tzset()

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXED_EPOCH = 1_700_000_000.0  # 2023-11-14T22:13:20Z: zip entry / gzip header time stamps
MIXED_COUNT = 200

written = 0
skipped = 0


@contextlib.contextmanager
def pinned_clock() -> Iterator[None]:
    """numpy.savez (zip entries) and joblib's gzip writer stamp time.time(); pin it for stable bytes."""
    real = time.time
    time.time = lambda: FIXED_EPOCH  # type: ignore[assignment]
    try:
        yield
    finally:
        time.time = real  # type: ignore[assignment]


def produce(path: Path, write: Callable[[Path], None]) -> None:
    """Calls write(tmp) unless `path` exists, then renames tmp to path."""
    global written, skipped
    if path.exists():
        skipped += 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same file name in a side folder: torch names the zip's top folder after the file stem.
    tmp = path.parent / ".tmp" / path.name
    tmp.parent.mkdir(exist_ok=True)
    if tmp.exists():
        tmp.unlink()
    with pinned_clock():
        write(tmp)
    os.replace(tmp, path)
    tmp.parent.rmdir()
    written += 1


class Payload:
    """Pickles as `posix.system('echo bench')`. Writing it is harmless; loading the file runs the command."""

    def __reduce__(self):  # noqa: D105
        return (os.system, ("echo bench",))


# ---------------------------------------------------------------------------------------------- (a), (b)


def write_big(path: Path) -> None:
    """250 float32 tensors of 500,000 elements: 500,000,000 bytes of storage."""
    gen = torch.Generator().manual_seed(500)
    sd = {f"layers.{i}.weight": torch.randn(500_000, generator=gen) for i in range(250)}
    torch.save(sd, path)


def write_many(path: Path) -> None:
    """20,000 tensors of 16 float32 each, named like a deep network's parameters."""
    gen = torch.Generator().manual_seed(20_000)
    sd: dict[str, torch.Tensor] = {}
    kinds = ("weight", "bias", "running_mean", "running_var")
    for i in range(20_000):
        sd[f"blocks.{i // 40}.layer.{(i // 4) % 10}.{kinds[i % 4]}"] = torch.randn(4, 4, generator=gen)
    torch.save(sd, path)


# ---------------------------------------------------------------------------------------------- (c)


def small_state_dict(rng: random.Random, seed: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    sd: dict[str, torch.Tensor] = {}
    for layer in range(rng.randint(2, 12)):
        rows, cols = rng.choice((16, 32, 64, 128, 256)), rng.choice((16, 32, 64, 128, 256))
        sd[f"layer{layer}.weight"] = torch.randn(rows, cols, generator=gen)
        sd[f"layer{layer}.bias"] = torch.randn(rows, generator=gen)
    return sd


def sk_model(rng: random.Random, seed: int):
    nprng = np.random.default_rng(seed)
    x = nprng.normal(size=(rng.choice((100, 200, 400)), 8))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    kind = rng.randrange(5)
    if kind == 0:
        model = LogisticRegression(max_iter=200)
    elif kind == 1:
        model = RandomForestClassifier(n_estimators=rng.choice((5, 10, 20)), random_state=seed)
    elif kind == 2:
        model = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=200))])
    elif kind == 3:
        model = DecisionTreeClassifier(random_state=seed)
    else:
        model = KMeans(n_clusters=3, n_init=3, random_state=seed)
        return model.fit(x)
    return model.fit(x, y)


def plain_object(rng: random.Random, seed: int):
    nprng = np.random.default_rng(seed)
    kind = rng.randrange(4)
    if kind == 0:
        return {"vocab": {f"tok{i}": i for i in range(rng.randint(100, 3000))}, "version": 1}
    if kind == 1:
        return [rng.random() for _ in range(rng.randint(100, 5000))]
    if kind == 2:
        return {"embedding": nprng.normal(size=(rng.randint(10, 200), 32)).astype(np.float32)}
    return {"epoch": rng.randint(1, 100), "lr": 1e-3, "history": [(i, rng.random()) for i in range(500)]}


def text_file(rng: random.Random, i: int) -> tuple[str, bytes]:
    kind = i % 3
    if kind == 0:
        cfg = {
            "architectures": ["BenchModel"],
            "hidden_size": rng.choice((256, 512, 768)),
            "num_layers": rng.randint(2, 24),
            "vocab": [f"w{j}" for j in range(rng.randint(10, 500))],
        }
        return f"config_{i:03d}.json", json.dumps(cfg, indent=2).encode()
    if kind == 1:
        return f"README_{i:03d}.md", ("# Bench model\n\n" + "Lorem ipsum dolor sit amet. " * rng.randint(5, 200)).encode()
    return f"vocab_{i:03d}.txt", "\n".join(f"token{j}" for j in range(rng.randint(50, 5000))).encode()


def mixed_plan() -> list[tuple[str, Callable[[Path], None]]]:
    """200 (file name, writer) pairs; each writer draws from its own seed so files are independent."""
    plan: list[tuple[str, Callable[[Path], None]]] = []

    def add(name: str, fn: Callable[[Path], None]) -> None:
        plan.append((name, fn))

    for i in range(40):  # small torch zip checkpoints

        def w(p: Path, i: int = i) -> None:
            torch.save(small_state_dict(random.Random(1000 + i), 1000 + i), p)

        add(f"torch_zip_{i:03d}.pt", w)
    for i in range(20):  # legacy (pre-1.6) torch format: 5 concatenated pickles + raw storages

        def w(p: Path, i: int = i) -> None:
            torch.save(small_state_dict(random.Random(2000 + i), 2000 + i), p, _use_new_zipfile_serialization=False)

        add(f"torch_legacy_{i:03d}.pth", w)
    for i in range(30):  # numpy .npy, several dtypes/shapes

        def w(p: Path, i: int = i) -> None:
            rng = random.Random(3000 + i)
            nprng = np.random.default_rng(3000 + i)
            dtype = rng.choice((np.float32, np.float64, np.int64, np.uint8, np.float16))
            shape = tuple(rng.choice((8, 32, 64, 128, 256)) for _ in range(rng.randint(1, 3)))
            with open(p, "wb") as f:
                np.save(f, (nprng.normal(size=shape) * 100).astype(dtype))

        add(f"array_{i:03d}.npy", w)
    for i in range(15):  # numpy .npz, stored and deflated

        def w(p: Path, i: int = i) -> None:
            nprng = np.random.default_rng(4000 + i)
            arrays = {f"a{j}": nprng.normal(size=(64, 16 * (j + 1))).astype(np.float32) for j in range(4)}
            with open(p, "wb") as f:
                (np.savez_compressed if i % 2 else np.savez)(f, **arrays)

        add(f"arrays_{i:03d}.npz", w)
    compressions = (0, 3, ("zlib", 3), ("gzip", 3), ("lzma", 3))
    for i in range(20):  # joblib scikit-learn models, plain and compressed

        def w(p: Path, i: int = i) -> None:
            joblib.dump(sk_model(random.Random(5000 + i), 5000 + i), p, compress=compressions[i % 5])

        add(f"sklearn_{i:03d}.joblib", w)
    for i in range(40):  # plain pickles, protocols 0..5

        def w(p: Path, i: int = i) -> None:
            obj = plain_object(random.Random(6000 + i), 6000 + i)
            p.write_bytes(pickle.dumps(obj, protocol=i % 6))

        add(f"plain_{i:03d}.{'pkl' if i % 2 else 'pickle'}", w)
    # malicious: os.system('echo bench') in a plain pickle (3 protocols), torch zip, legacy torch, joblib,
    # a .bin raw pickle and a .npy object array
    for proto in (0, 2, 4):
        add(f"malicious_p{proto}.pkl", lambda p, proto=proto: p.write_bytes(pickle.dumps(Payload(), protocol=proto)))
    add(
        "malicious_zip.pt",
        lambda p: torch.save({"weight": torch.zeros(4), "hook": Payload()}, p),
    )
    add(
        "malicious_legacy.pt",
        lambda p: torch.save({"weight": torch.zeros(4), "hook": Payload()}, p, _use_new_zipfile_serialization=False),
    )
    add("malicious_model.joblib", lambda p: joblib.dump({"model": Payload()}, p))
    add("malicious_weights.bin", lambda p: p.write_bytes(pickle.dumps({"w": Payload()}, protocol=2)))

    def w_npy(p: Path) -> None:
        arr = np.empty(2, dtype=object)
        arr[0], arr[1] = Payload(), 1
        with open(p, "wb") as f:
            np.save(f, arr, allow_pickle=True)

    add("malicious_object.npy", w_npy)
    # text / JSON files fill up to 200
    i = 0
    while len(plan) < MIXED_COUNT:
        name, data = text_file(random.Random(7000 + i), i)
        add(name, lambda p, data=data: p.write_bytes(data))
        i += 1
    assert len(plan) == MIXED_COUNT, len(plan)
    assert len({n for n, _ in plan}) == MIXED_COUNT, "duplicate names"
    return plan


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / ".work"
    # bench/** is in biome's includes (npm run lint); keep the generated files (.md, .json) out of it.
    guard = ROOT / "bench" / ".work" / "biome.json"
    guard.parent.mkdir(parents=True, exist_ok=True)
    if not guard.exists():
        guard.write_text('{ "root": false, "extends": "//", "files": { "includes": ["!**"] } }\n')
    t0 = time.monotonic()
    produce(out / "benign_500mb.pt", write_big)
    produce(out / "many_tensors.pt", write_many)
    for name, fn in mixed_plan():
        produce(out / "mixed" / name, fn)
    sizes = {
        "benign_500mb.pt": (out / "benign_500mb.pt").stat().st_size,
        "many_tensors.pt": (out / "many_tensors.pt").stat().st_size,
        "mixed/": sum(p.stat().st_size for p in (out / "mixed").iterdir()),
    }
    print(
        f"bench models in {out}: {written} written, {skipped} already there ({time.monotonic() - t0:.1f} s); "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
