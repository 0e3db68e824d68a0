"""A compiled one-pass scan of a readsb ``trace`` array into point columns.

``scan_trace`` walks the bytes of the ``"trace": [...]`` array once and writes each row's
numbers straight into numpy columns. It accepts only a strict, common subset of JSON and
says ``ok = False`` for anything else, so its caller can hand the file to the general
orjson path (which also repairs cut files and rejects bad rows with a reason):

- rows are arrays of at least 6 values; numeric fields hold numbers or ``null``, the altitude
  also ``"ground"``, the details field ``null`` or an object;
- numbers have at most 15 significant digits and no exponent (``m / 10**k`` with both exact
  is then the correctly rounded value, the same double any JSON parser gives);
- strings are printable ASCII without escapes.

Readers see the result through ``readsb``; nothing here knows about tables or rejects.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .base import TIME_RANGE_S

# row fields read as numbers: index in the trace row → column in the ``num`` output
NUM_FIELDS = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 10: 8}
DT, LAT, LON, ALT, GS, TRACK, FLAGS, VRATE, ALT_GEOM = range(9)
N_NUM = 9
_FIELD_COL = np.full(16, -1, np.int64)
for _k, _v in NUM_FIELDS.items():
    _FIELD_COL[_k] = _v

_POW10 = np.array([10.0**k for k in range(23)])
_W_TRUE = np.frombuffer(b"true", np.uint8).copy()
_W_FALSE = np.frombuffer(b"false", np.uint8).copy()
_W_NULL = np.frombuffer(b"null", np.uint8).copy()
_W_GROUND = np.frombuffer(b'"ground"', np.uint8).copy()
_W_FLIGHT = np.frombuffer(b"flight", np.uint8).copy()
_W_SQUAWK = np.frombuffer(b"squawk", np.uint8).copy()
_MAX_DEPTH = 64

# bytes
_SP, _TAB, _LF, _CR = 32, 9, 10, 13
_QUOTE, _BSLASH, _COMMA, _COLON = 34, 92, 44, 58
_LBRACK, _RBRACK, _LBRACE, _RBRACE = 91, 93, 123, 125
_MINUS, _DOT, _ZERO, _NINE = 45, 46, 48, 57


@njit(cache=True, _nrt=False)
def _at(buf, i):
    return buf[i] if i < buf.shape[0] else 0


@njit(cache=True, _nrt=False)
def _ws(buf, i):
    n = buf.shape[0]
    while i < n:
        c = buf[i]
        if c == _SP or c == _LF or c == _CR or c == _TAB:  # noqa: SIM109 (plain compares for numba)
            i += 1
        else:
            break
    return i


@njit(cache=True, _nrt=False)
def _number(buf, i):
    """(value, next index); next index -1 when outside the accepted number form."""
    n = buf.shape[0]
    neg = False
    if _at(buf, i) == _MINUS:
        neg = True
        i += 1
    c = _at(buf, i)
    m = 0
    digits = 0
    if c == _ZERO:
        i += 1
        c = _at(buf, i)
        if _ZERO <= c <= _NINE:  # a leading zero is not JSON
            return 0.0, -1
    elif _ZERO < c <= _NINE:
        while i < n and _ZERO <= buf[i] <= _NINE:
            m = m * 10 + (buf[i] - _ZERO)
            digits += 1
            i += 1
    else:
        return 0.0, -1
    frac = -1
    if _at(buf, i) == _DOT:
        i += 1
        frac = 0
        while i < n and _ZERO <= buf[i] <= _NINE:
            m = m * 10 + (buf[i] - _ZERO)
            digits += 1
            frac += 1
            i += 1
        if frac == 0 or frac > 22:
            return 0.0, -1
    c = _at(buf, i)
    if c == 101 or c == 69 or digits > 15:  # exponents and long mantissas: not here
        return 0.0, -1
    if frac < 0:  # an integer: -0 is 0
        return float(-m if neg else m), i
    v = m / _POW10[frac]
    return (-v if neg else v), i


@njit(cache=True, _nrt=False)
def _string(buf, i):
    """Index after the string starting at ``i`` (a quote); -1 for escapes, controls, non-ASCII."""
    n = buf.shape[0]
    i += 1
    while i < n:
        c = buf[i]
        if c == _QUOTE:
            return i + 1
        if c == _BSLASH or c < _SP or c > 126:
            return -1
        i += 1
    return -1


@njit(cache=True, _nrt=False)
def _literal(buf, i, word):
    if i + word.shape[0] > buf.shape[0]:
        return -1
    for k in range(word.shape[0]):
        if buf[i + k] != word[k]:
            return -1
    return i + word.shape[0]


@njit(cache=True, _nrt=False)
def _key(buf, i):
    """At a key (after whitespace): index after ``"key" :`` and whitespace, or -1."""
    if _at(buf, i) != _QUOTE:
        return -1
    i = _string(buf, i)
    if i < 0:
        return -1
    i = _ws(buf, i)
    if _at(buf, i) != _COLON:
        return -1
    return _ws(buf, i + 1)


@njit(cache=True, _nrt=False)
def _skip_value(buf, i, stack):
    """Index after the JSON value at ``i`` (checked, not kept), or -1."""
    depth = 0
    while True:
        i = _ws(buf, i)
        c = _at(buf, i)
        if c == _QUOTE:
            i = _string(buf, i)
        elif c == _MINUS or (_ZERO <= c <= _NINE):
            _, i = _number(buf, i)
        elif c == 116:
            i = _literal(buf, i, _W_TRUE)
        elif c == 102:
            i = _literal(buf, i, _W_FALSE)
        elif c == 110:
            i = _literal(buf, i, _W_NULL)
        elif c == _LBRACK or c == _LBRACE:  # noqa: SIM109
            j = _ws(buf, i + 1)
            close = _RBRACK if c == _LBRACK else _RBRACE
            if _at(buf, j) == close:
                i = j + 1
            else:
                if depth == _MAX_DEPTH:
                    return -1
                stack[depth] = c
                depth += 1
                i = j if c == _LBRACK else _key(buf, j)
                if i < 0:
                    return -1
                continue
        else:
            return -1
        if i < 0:
            return -1
        # a value ended: close containers, or move to the next element
        while True:
            if depth == 0:
                return i
            i = _ws(buf, i)
            c = _at(buf, i)
            top = stack[depth - 1]
            if c == _COMMA:
                i = _ws(buf, i + 1)
                if top == _LBRACE:
                    i = _key(buf, i)
                    if i < 0:
                        return -1
                break
            if (c == _RBRACK and top == _LBRACK) or (c == _RBRACE and top == _LBRACE):
                depth -= 1
                i += 1
            else:
                return -1


@njit(cache=True, _nrt=False)
def _details(buf, i, stack, spans):
    """Parse a details object at ``i``; spans[0:2] flight, spans[2:4] squawk (-1 if absent)."""
    spans[:] = -1
    i = _ws(buf, i + 1)
    if _at(buf, i) == _RBRACE:
        return i + 1
    while True:
        if _at(buf, i) != _QUOTE:
            return -1
        k0 = i + 1
        i = _string(buf, i)
        if i < 0:
            return -1
        klen = i - 1 - k0
        which = -1
        if klen == 6 and _literal(buf, k0, _W_FLIGHT) > 0:
            which = 0
        elif klen == 6 and _literal(buf, k0, _W_SQUAWK) > 0:
            which = 2
        i = _ws(buf, i)
        if _at(buf, i) != _COLON:
            return -1
        i = _ws(buf, i + 1)
        if _at(buf, i) == _QUOTE:
            j = _string(buf, i)
            if j < 0:
                return -1
            if which >= 0:  # trim spaces (the only whitespace an unescaped string can hold)
                s, e = i + 1, j - 1
                while s < e and buf[s] == _SP:
                    s += 1
                while e > s and buf[e - 1] == _SP:
                    e -= 1
                spans[which] = s
                spans[which + 1] = e
            i = j
        else:
            i = _skip_value(buf, i, stack)
            if i < 0:
                return -1
            if which >= 0:  # a later non-string value replaces an earlier string
                spans[which] = -1
                spans[which + 1] = -1
        i = _ws(buf, i)
        c = _at(buf, i)
        if c == _RBRACE:
            return i + 1
        if c != _COMMA:
            return -1
        i = _ws(buf, i + 1)


@njit(cache=True, _nrt=False)
def _same(buf, a0, a1, b0, b1):
    """Whether bytes [a0, a1) equal bytes [b0, b1) (b0 < 0: nothing, never equal)."""
    if b0 < 0 or a1 - a0 != b1 - b0:
        return False
    for q in range(a1 - a0):  # noqa: SIM110 (a plain loop for numba)
        if buf[a0 + q] != buf[b0 + q]:
            return False
    return True


@njit(cache=True)
def _scan(buf, i, num, ground, row_at, flight, squawk):
    """Parse the array at ``i``; returns (rows, index after it), rows -1 when not accepted.

    The hot path (whitespace, numbers, null, short strings) is written out here rather than
    called: numba counts references on every array handed to a function, which costs more
    than the parsing itself at this grain. Objects and nested values go to the helpers.
    """
    n = buf.shape[0]
    stack = np.empty(_MAX_DEPTH, np.uint8)
    spans = np.empty(4, np.int64)
    cap = num.shape[1]
    nrow = 0
    cur_f0, cur_f1, cur_s0, cur_s1 = -1, -1, -1, -1
    while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
        i += 1
    if i >= n or buf[i] != _LBRACK:
        return -1, i
    i += 1
    while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
        i += 1
    if i < n and buf[i] == _RBRACK:
        return 0, i + 1
    while True:
        if i >= n or buf[i] != _LBRACK or nrow == cap:
            return -1, i
        row_at[nrow, 0] = i
        i += 1
        for k in range(N_NUM):
            num[k, nrow] = np.nan
        ground[nrow] = False
        k = 0
        while True:  # one value of the row per turn
            while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
                i += 1
            if i >= n:
                return -1, i
            c = buf[i]
            col = _FIELD_COL[k] if k < 16 else -1
            if c == _MINUS or (_ZERO <= c <= _NINE):
                if k == 8:
                    return -1, i
                # a number: [-](0|[1-9][0-9]*)[.[0-9]+], at most 15 digits, no exponent;
                # the same form as _number, written out here because calling it per value
                # made the whole scan about 8% slower (measured on 1 M positions)
                neg = c == _MINUS
                if neg:
                    i += 1
                m = 0
                digits = 0
                c = buf[i] if i < n else 0
                if c == _ZERO:
                    i += 1
                    if i < n and _ZERO <= buf[i] <= _NINE:
                        return -1, i
                elif _ZERO < c <= _NINE:
                    while i < n and _ZERO <= buf[i] <= _NINE:
                        m = m * 10 + (buf[i] - _ZERO)
                        digits += 1
                        i += 1
                else:
                    return -1, i
                frac = -1
                if i < n and buf[i] == _DOT:
                    i += 1
                    frac = 0
                    while i < n and _ZERO <= buf[i] <= _NINE:
                        m = m * 10 + (buf[i] - _ZERO)
                        digits += 1
                        frac += 1
                        i += 1
                    if frac == 0 or frac > 22:
                        return -1, i
                if digits > 15 or (i < n and (buf[i] == 101 or buf[i] == 69)):
                    return -1, i
                if col >= 0:
                    if frac < 0:
                        num[col, nrow] = float(-m if neg else m)
                    else:
                        v = m / _POW10[frac]
                        num[col, nrow] = -v if neg else v
            elif c == 110:  # null
                if i + 4 > n or buf[i + 1] != 117 or buf[i + 2] != 108 or buf[i + 3] != 108:
                    return -1, i
                i += 4
            elif c == _QUOTE:
                if col >= 0 and k != 3 or k == 8:
                    return -1, i
                end = _string(buf, i)
                if end < 0:
                    return -1, i
                j = end - 1  # the closing quote
                if k == 3:  # the altitude may only be "ground"
                    if j - i != 7:
                        return -1, i
                    for q in range(8):
                        if buf[i + q] != _W_GROUND[q]:
                            return -1, i
                    ground[nrow] = True
                i = j + 1
            elif c == _LBRACE and k == 8:
                i = _details(buf, i, stack, spans)
                if i < 0:
                    return -1, i
                # a value equal to the one carried keeps the old span: few distinct spans
                if spans[1] > spans[0] >= 0 and not _same(buf, spans[0], spans[1], cur_f0, cur_f1):
                    cur_f0, cur_f1 = spans[0], spans[1]
                if spans[3] > spans[2] >= 0 and not _same(buf, spans[2], spans[3], cur_s0, cur_s1):
                    cur_s0, cur_s1 = spans[2], spans[3]
            elif col < 0 and k != 8:
                i = _skip_value(buf, i, stack)
                if i < 0:
                    return -1, i
            else:
                return -1, i
            k += 1
            while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
                i += 1
            if i >= n:
                return -1, i
            if buf[i] == _COMMA:
                i += 1
            elif buf[i] == _RBRACK:
                i += 1
                break
            else:
                return -1, i
        if k < 6:
            return -1, i
        row_at[nrow, 1] = i
        flight[nrow, 0] = cur_f0
        flight[nrow, 1] = cur_f1
        squawk[nrow, 0] = cur_s0
        squawk[nrow, 1] = cur_s1
        nrow += 1
        while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
            i += 1
        if i >= n:
            return -1, i
        if buf[i] == _RBRACK:
            return nrow, i + 1
        if buf[i] != _COMMA:
            return -1, i
        i += 1
        while i < n and (buf[i] == _SP or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
            i += 1


class Scan:
    """The columns of one scanned trace array (``n`` rows)."""

    __slots__ = ("n", "num", "ground", "row_at", "flight", "squawk", "start", "end")

    def __init__(self, n, num, ground, row_at, flight, squawk, start, end):
        self.n, self.num, self.ground, self.row_at = n, num, ground, row_at
        self.flight, self.squawk, self.start, self.end = flight, squawk, start, end


def scan_trace(data: bytes) -> Scan | None:
    """Scan the top-level ``"trace"`` array of a readsb trace file; None if not accepted.

    ``start``/``end`` delimit the array in ``data`` so the caller can parse the rest of the
    document (icao, timestamp, registration...) on its own.
    """
    key = data.find(b'"trace"')
    if key < 0 or data.count(b"{", 0, key) != 1:  # only a key of the top-level object
        return None
    buf = np.frombuffer(data, np.uint8)
    i = key + 7
    while i < len(data) and data[i] in b" \t\r\n":
        i += 1
    if i >= len(data) or data[i] != 0x3A:  # ':'
        return None
    start = i + 1
    while start < len(data) and data[start] in b" \t\r\n":
        start += 1
    cap = (len(data) - start) // 14 + 1  # a row is at least "[0,0,0,0,0,0],"
    num = np.empty((N_NUM, cap), np.float64)
    ground = np.empty(cap, np.bool_)
    row_at = np.empty((cap, 2), np.int64)
    flight = np.empty((cap, 2), np.int64)
    squawk = np.empty((cap, 2), np.int64)
    n, end = _scan(buf, start, num, ground, row_at, flight, squawk)
    if n < 0:
        return None
    # views of the first n rows, not copies: whoever keeps a column beyond the file copies it
    # (the tables built from a scan do), so the whole capacity is freed with the scan
    return Scan(n, num[:, :n], ground[:n], row_at[:n], flight[:n], squawk[:n], start, end)


_I32 = 2.0**31
_FLAG_MAX = 2.0**53
_T_LO, _T_HI = TIME_RANGE_S


@njit(cache=True)
def _typed(num, base, ts, ints, int_ok, floats, float_ok, new_leg, nulls):
    """The point columns in their stored types, or False to leave it all to the numpy path.

    The same arithmetic as the reader's numpy path, row by row: times ``round((base + Δt) *
    1e6)`` µs; with flags & 8 the altitude is geometric (the barometric one null, the
    geometric one filled from it when missing); integers truncated; flags & 2 a new leg.
    Rows the reader would reject (bad coordinates or time) and values whose cast numpy and
    Arrow leave to the platform (past int32, non-finite flags) say False. ``nulls`` counts
    the nulls of the three integer columns, then of the two float ones.
    """
    nulls[:] = 0
    for i in range(num.shape[1]):
        dt, lat, lon = num[DT, i], num[LAT, i], num[LON, i]
        if not (np.isfinite(dt) and abs(lat) <= 90.0 and abs(lon) <= 180.0):
            return False
        f = num[FLAGS, i]
        if np.isnan(f):
            f = 0.0
        elif not abs(f) < _FLAG_MAX:
            return False
        flags = np.int64(f)
        alt = num[ALT, i]
        alt_geom = num[ALT_GEOM, i]
        alt_baro = alt
        if flags & 8:
            alt_baro = np.nan
            if np.isnan(alt_geom):
                alt_geom = alt
        sec = base + dt
        if not (_T_LO <= sec < _T_HI):  # the reader's time range (ingest.base.TIME_RANGE_S)
            return False
        t = np.rint(sec * 1e6)
        ts[i] = np.int64(t)
        for k, v in enumerate((alt_baro, alt_geom, num[VRATE, i])):
            if np.isnan(v):
                ints[k, i] = 0
                int_ok[k, i] = False
                nulls[k] += 1
            elif abs(v) < _I32:
                ints[k, i] = np.int32(v)  # toward zero
                int_ok[k, i] = True
            else:
                return False
        for k, v in enumerate((num[GS, i], num[TRACK, i])):
            floats[k, i] = np.float32(v)
            float_ok[k, i] = not np.isnan(v)
            if np.isnan(v):
                nulls[3 + k] += 1
        new_leg[i] = flags & 2 != 0
    return True


def typed_columns(sc: Scan, base: float):
    """(ts µs, [alt_baro, alt_geom, vrate] int32, their validity, [gs, track] float32, their
    validity, new_leg, nulls of those five) of a scan, or None when a row needs the reader's
    general handling."""
    n = sc.n
    ts = np.empty(n, np.int64)
    ints = np.empty((3, n), np.int32)
    int_ok = np.empty((3, n), np.bool_)
    floats = np.empty((2, n), np.float32)
    float_ok = np.empty((2, n), np.bool_)
    new_leg = np.empty(n, np.bool_)
    nulls = np.empty(5, np.int64)
    if not _typed(sc.num, float(base), ts, ints, int_ok, floats, float_ok, new_leg, nulls):
        return None
    return ts, ints, int_ok, floats, float_ok, new_leg, nulls.tolist()


@njit(cache=True)
def _gather(buf, spans):
    n = spans.shape[0]
    size = 0
    for i in range(n):
        if spans[i, 0] >= 0:
            size += spans[i, 1] - spans[i, 0]
    offsets = np.empty(n + 1, np.int32)
    valid = np.empty(n, np.bool_)
    out = np.empty(size, np.uint8)
    pos = 0
    nulls = 0
    for i in range(n):
        offsets[i] = pos
        s, e = spans[i, 0], spans[i, 1]
        valid[i] = s >= 0
        if s >= 0:
            out[pos : pos + e - s] = buf[s:e]
            pos += e - s
        else:
            nulls += 1
    offsets[n] = pos
    return offsets, valid, out, nulls


@njit(cache=True)
def _octal4(buf, spans, codes, ok):
    nulls = 0
    for i in range(spans.shape[0]):
        s, e = spans[i, 0], spans[i, 1]
        code = 0
        good = s >= 0 and e - s == 4
        if good:
            for k in range(4):
                d = np.int64(buf[s + k]) - 48
                if d < 0 or d > 7:
                    good = False
                    break
                code = code * 8 + d
        codes[i] = code if good else 0
        ok[i] = good
        nulls += not good
    return nulls


def span_squawk_codes(data: bytes, spans: np.ndarray):
    """Per-row spans of Mode A codes → (codes uint16, valid, number of nulls), as
    ``schema.squawk_codes`` reads the same text: 4 octal digits, else null."""
    codes = np.empty(spans.shape[0], np.uint16)
    ok = np.empty(spans.shape[0], np.bool_)
    nulls = _octal4(np.frombuffer(data, np.uint8), spans, codes, ok)
    return codes, ok, nulls


def span_text(data: bytes, spans: np.ndarray):
    """Per-row (start, end) spans of ``data`` (-1: none) → (offsets int32, valid, bytes, number
    of nulls): the buffers of a string column."""
    return _gather(np.frombuffer(data, np.uint8), spans)
