"""Makes the ART source exported to bench/.work/art importable (with a no-op tqdm when Debian lacks it) for
bench/attack_ref.py and bench/poison-art.py."""

import logging
import os
import sys

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), '.work')
ART = os.path.join(WORK, 'art')


def use_art_source():
    if not os.path.isdir(os.path.join(ART, 'art')):
        sys.exit(f'ART source not found at {ART}/art: export it there first (see bench/poison-art.py)')
    sys.path.insert(0, ART)
    try:
        import tqdm.auto  # noqa: F401
    except ImportError:
        shim = os.path.join(WORK, 'shim', 'tqdm')
        os.makedirs(shim, exist_ok=True)
        body = 'def tqdm(iterable=None, *args, **kwargs):\n    return iterable\n\n\n' \
               'def trange(*args, **kwargs):\n    return range(*args)\n'
        for name in ('__init__.py', 'auto.py'):
            with open(os.path.join(shim, name), 'w') as f:
                f.write(body)
        sys.path.insert(0, os.path.join(WORK, 'shim'))
    logging.disable(logging.WARNING)
