"""Which position ids one ingest run may already have written: a fixed-size Bloom filter.

The writer asks it about every batch before looking in the store. "No" is certain (a Bloom
filter has no false negatives), so a batch with no hit needs no join against the rows this run
already wrote; a hit only means "look in the store". Its size is fixed, so memory stays flat
however long the run: past a few hundred million ids most batches hit and the writer simply
does the exact check every time, as it would without the filter.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# 2**28 bits = 32 MiB; false hits per id (k = 3): 1.4e-6 after 1 M ids, 2e-5 after 2.5 M
BITS_LOG2 = 28


@njit(cache=True)
def _check_add(bits, ids, shift, hit):
    """Mark in ``hit`` the ids whose k = 3 bits were all set already; set them."""
    mask = (np.uint64(1) << np.uint64(64 - shift)) - np.uint64(1)
    for i in range(ids.shape[0]):
        x = ids[i]
        # ids are splitmix hashes already: their bits serve as the filter's hash functions
        a = x & mask
        b = ((x >> np.uint64(32)) | np.uint64(1)) & mask
        seen = True
        for _ in range(3):
            word = a >> np.uint64(6)
            bit = np.uint64(1) << (a & np.uint64(63))
            if bits[word] & bit == 0:
                seen = False
                bits[word] |= bit
            a = (a + b) & mask
        hit[i] = seen


class SeenIds:
    def __init__(self, bits_log2: int = BITS_LOG2) -> None:
        self.bits = np.zeros(1 << (bits_log2 - 6), np.uint64)
        self._shift = 64 - bits_log2

    def check_add(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` may have been added before (or repeat an earlier one of ``ids``)."""
        hit = np.empty(len(ids), dtype=bool)
        _check_add(self.bits, np.ascontiguousarray(ids, np.uint64), self._shift, hit)
        return hit
