"""Tests for nondiff.space / nondiff.params: round trips, sampling, validation, definitions.

Oracles: exact round trips for discrete types; for reals, the encode/decode error is bounded by
a few ulps of the bounds (tolerance 1e-12 relative to max(|lo|, |hi|), or relative to the value
in log space); sampling distributions by Kolmogorov-Smirnov / binomial bounds at fixed seeds.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nondiff.space import Array, Bits, Categorical, Integer, Permutation, Real, Space

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- hypothesis strategies for parameters and spaces ------------------------------------------

@st.composite
def reals(draw):
    if draw(st.booleans()):
        lo = draw(st.floats(1e-8, 1e4))
        return Real(lo, lo * draw(st.floats(1.001, 1e6)), log=True)
    lo = draw(st.floats(-1e6, 1e6))
    return Real(lo, lo + draw(st.floats(1e-3, 1e6)))


@st.composite
def integers(draw):
    lo = draw(st.integers(-(2**50), 2**50))
    span = draw(st.one_of(st.integers(1, 50), st.integers(1, 2**48 - 1)))
    return Integer(lo, lo + span)


choices = st.lists(st.one_of(st.text(max_size=4), st.integers(-5, 5), st.none()),
                   min_size=1, max_size=6, unique=True)


@st.composite
def arrays(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    if draw(st.booleans()):
        lo = draw(st.floats(-10, 10))
        return Array(shape, lo, lo + draw(st.floats(0.01, 10)))
    lo = draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10)))
    width = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.01, 10)))
    return Array(shape, lo, lo + width)


params = st.one_of(
    reals(), integers(), choices.map(Categorical), st.integers(1, 16).map(Bits),
    st.integers(1, 9).map(Permutation), arrays(),
)
names = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
spaces = st.dictionaries(names, params, min_size=1, max_size=5).map(Space)


def assert_genomes_equal(space, a, b, exact=False):
    """Equal genomes: exact for discrete kinds, within a few ulps of the bounds for reals."""
    assert a.keys() == b.keys() == set(space)
    for name, p in space.items():
        assert a[name].shape == b[name].shape and a[name].dtype == b[name].dtype, name
        if exact or p.kind not in ("real", "array"):
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
        elif getattr(p, "log", False):
            np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=0, err_msg=name)
        else:
            scale = max(np.abs(p.lo).max(), np.abs(p.hi).max())
            np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-12 * scale, err_msg=name)


DTYPES = {"real": np.float64, "integer": np.int64, "categorical": np.int64, "bits": np.bool_,
          "permutation": np.int64, "array": np.float64}


def assert_valid_genome(space, genome, n):
    """Every column has the documented dtype and shape, and every row validates."""
    for name, p in space.items():
        assert genome[name].dtype == DTYPES[p.kind], name
        assert genome[name].shape == (n, *p.column_shape), name
    space.validate_genome(genome)
    for row in space.to_params(genome):
        space.validate(row)


# --- round trips (property tests) ----------------------------------------------------------------

@SETTINGS
@given(spaces, st.integers(0, 2**32), st.integers(1, 6))
def test_vector_round_trip(space, seed, n):
    genome = space.sample(seed, n)
    X = space.encode_genome(genome)
    assert X.shape == (n, space.dim) and (X >= 0).all() and (X <= 1).all()
    assert_genomes_equal(space, space.decode(X), genome)
    rows = space.to_params(genome)
    assert_genomes_equal(space, space.decode(space.encode(rows)), genome)


@SETTINGS
@given(spaces, st.integers(0, 2**32), st.integers(0, 6))
def test_params_round_trip_is_exact(space, seed, n):
    genome = space.sample(seed, n)
    rows = space.to_params(genome)
    assert len(rows) == n
    assert_genomes_equal(space, space.from_params(rows), genome, exact=True)
    for row in rows:
        assert_genomes_equal(space, space.from_params([space.validate(row)]),
                             space.from_params([row]), exact=True)


@SETTINGS
@given(spaces, st.data())
def test_decode_of_any_real_matrix_lands_in_the_space(space, data):
    n = data.draw(st.integers(1, 4))
    X = data.draw(hnp.arrays(np.float64, (n, space.dim),
                             elements=st.floats(allow_nan=False, width=64)))
    genome = space.decode(X)
    assert_valid_genome(space, genome, n)
    # decoding is a projection: re-encoding a decoded point decodes to the same point
    assert_genomes_equal(space, space.decode(space.encode_genome(genome)), genome)


@SETTINGS
@given(spaces, st.integers(0, 2**32))
def test_sample_is_valid_and_reproducible(space, seed):
    a = space.sample(seed, 5)
    assert_valid_genome(space, a, 5)
    assert_genomes_equal(space, space.sample(seed, 5), a, exact=True)
    # a Generator is used as is (its stream advances); an int seed is PCG64(seed)
    rng = np.random.default_rng(seed)
    assert_genomes_equal(space, space.sample(rng, 5), a, exact=True)
    assert_valid_genome(space, space.sample(rng, 5), 5)


@SETTINGS
@given(spaces)
def test_json_and_repr_round_trips(space):
    again = Space.from_dict(json.loads(json.dumps(space.to_dict())))
    assert again == space and again.diff(space) == [] and space.diff(again) == []
    namespace = {c.__name__: c for c in (Space, Real, Integer, Categorical, Bits, Permutation,
                                         Array)}
    assert eval(repr(space), namespace) == space


@SETTINGS
@given(spaces)
def test_center_is_a_valid_genome_of_one(space):
    assert_valid_genome(space, space.center(), 1)


def test_integer_round_trip_at_the_largest_range():
    lo, hi = -(2**62), -(2**62) + 2**48 - 1
    p = Integer(lo, hi)
    k = np.array([lo, lo + 1, hi - 1, hi, lo + 2**47 + 12345], dtype=np.int64)
    np.testing.assert_array_equal(p.decode(p.encode(k)), k)


# --- sampling distributions ------------------------------------------------------------------

def ks_statistic(u):
    """Kolmogorov-Smirnov distance of a sample from U(0, 1)."""
    u = np.sort(u)
    n = u.size
    return max((np.arange(1, n + 1) / n - u).max(), (u - np.arange(n) / n).max())


N_KS = 20_000
KS_CRIT = 1.63 / math.sqrt(N_KS)  # 1% critical value of the KS statistic


def test_log_real_samples_are_uniform_in_log_space():
    x = Space(lr=Real(1e-4, 1.0, log=True)).sample(7, N_KS)["lr"]
    assert ks_statistic((np.log10(x) + 4) / 4) < KS_CRIT
    # the same test rejects linear sampling, so it can fail
    y = Space(lr=Real(1e-4, 1.0)).sample(7, N_KS)["lr"]
    assert ks_statistic((np.log10(y) + 4) / 4) > 10 * KS_CRIT
    assert ks_statistic((y - 1e-4) / (1 - 1e-4)) < KS_CRIT


def test_discrete_samples_are_uniform_and_inclusive():
    n = 24_000
    space = Space(k=Integer(-1, 2), c=Categorical(list("abcd")), b=Bits(3), p=Permutation(3))
    g = space.sample(3, n)
    perm_codes = g["p"] @ np.array([9, 3, 1])  # the 6 orders of (0, 1, 2) in base 3
    # (counts, probability of each cell): every count within 5 binomial standard deviations
    for counts, p in [
        (np.bincount(g["k"] + 1, minlength=4), 1 / 4),  # -1 and 2 included
        (np.bincount(g["c"], minlength=4), 1 / 4),
        (np.bincount(perm_codes, minlength=27)[[5, 7, 11, 15, 19, 21]], 1 / 6),
        (g["b"].sum(axis=0), 1 / 2),
    ]:
        assert np.all(np.abs(counts - n * p) < 5 * math.sqrt(n * p * (1 - p))), counts
    assert np.isin(perm_codes, [5, 7, 11, 15, 19, 21]).all()  # only permutations are drawn


def test_array_samples_respect_elementwise_bounds():
    p = Array((2,), [0.0, 10.0], [1.0, 20.0])
    x = Space(w=p).sample(1, 1000)["w"]
    assert (x[:, 0] >= 0).all() and (x[:, 0] <= 1).all()
    assert (x[:, 1] >= 10).all() and (x[:, 1] <= 20).all()
    assert ks_statistic(x[:, 1] / 10 - 1) < 1.63 / math.sqrt(1000)


# --- invalid definitions -------------------------------------------------------------------------

INVALID_ENTRIES = [
    ({"type": "real", "lo": 1, "hi": 1}, ValueError, "needs lo < hi"),
    ({"type": "real", "lo": 2, "hi": 1}, ValueError, "needs lo < hi"),
    ({"type": "real", "lo": 0, "hi": 1, "log": True}, ValueError,
     "log=True needs lo > 0, got lo=0"),
    ({"type": "real", "lo": -1, "hi": 1, "log": True}, ValueError, "log=True needs lo > 0"),
    ({"type": "real", "lo": 0, "hi": math.inf}, ValueError, "hi must be finite"),
    ({"type": "real", "lo": math.nan, "hi": 1}, ValueError, "lo must be finite"),
    ({"type": "real", "lo": 0, "hi": 10**400}, ValueError, "hi must be finite"),
    ({"type": "real", "lo": -1e308, "hi": 1e308}, ValueError, "overflows"),
    ({"type": "real", "lo": "0", "hi": 1}, TypeError, "lo must be a real number"),
    ({"type": "real", "lo": 0, "hi": True}, TypeError, "hi must be a real number"),
    ({"type": "real", "lo": 0, "hi": 1, "log": 1}, TypeError, "log must be True or False"),
    ({"type": "int", "lo": 3, "hi": 3}, ValueError, "needs lo < hi"),
    ({"type": "int", "lo": 0.5, "hi": 3}, TypeError, "lo must be an int"),
    ({"type": "integer", "lo": 0, "hi": 2**48}, ValueError, "below 2**48"),
    ({"type": "int", "lo": 0, "hi": 2**63}, ValueError, "within +-2**62"),
    ({"type": "cat", "choices": []}, ValueError, "choices must not be empty"),
    ({"type": "cat", "choices": ["a", "b", "a"]}, ValueError, "duplicate choices 'a' and 'a'"),
    ({"type": "categorical", "choices": [1, 1.0]}, ValueError, "duplicate choices 1 and 1.0"),
    ({"type": "cat", "choices": [1, True]}, ValueError, "duplicate choices"),
    ({"type": "cat", "choices": "abc"}, TypeError, "choices must be a list"),
    ({"type": "cat", "choices": 3}, TypeError, "choices must be a list"),
    ({"type": "bits", "n": 0}, ValueError, "n must be >= 1"),
    ({"type": "bits", "n": 2.0}, TypeError, "n must be an int"),
    ({"type": "perm", "n": -1}, ValueError, "n must be >= 1"),
    ({"type": "permutation", "n": None}, TypeError, "n must be an int"),
    ({"type": "array", "shape": [], "lo": 0, "hi": 1}, ValueError, "at least one dimension"),
    ({"type": "array", "shape": [2, 0], "lo": 0, "hi": 1}, ValueError, "all >= 1"),
    ({"type": "array", "shape": "2", "lo": 0, "hi": 1}, TypeError, "shape must be an int"),
    ({"type": "array", "shape": [2], "lo": [0, 0, 0], "hi": 1}, ValueError, "broadcastable"),
    ({"type": "array", "shape": [2], "lo": [[0], [0, 1]], "hi": 1}, ValueError, "broadcastable"),
    ({"type": "array", "shape": [2], "lo": [False, False], "hi": 1}, TypeError, "numeric"),
    ({"type": "array", "shape": [2], "lo": [0, 1], "hi": 1}, ValueError, "lo < hi everywhere"),
    ({"type": "array", "shape": [2], "lo": 0, "hi": [1, math.inf]}, ValueError,
     "hi must be finite"),
    ({"type": "array", "shape": [2], "lo": "a", "hi": 1}, TypeError, "lo must be"),
    ({"type": "real", "lo": 0}, ValueError, "missing 'hi'"),
    ({"type": "real", "lo": 0, "hi": 1, "Log": True}, ValueError, "unknown 'Log'"),
    ({"type": "float", "lo": 0, "hi": 1}, ValueError, "unknown type 'float'"),
    ({"lo": 0, "hi": 1}, ValueError, "unknown type None"),
    (["real", 0, 1], TypeError, "expected a dict with a 'type'"),
]


@pytest.mark.parametrize("entry, exc, message", INVALID_ENTRIES)
def test_invalid_definitions_raise_naming_the_parameter(entry, exc, message):
    with pytest.raises(exc, match="parameter 'p': .*" + _escape(message)):
        Space.from_dict({"x": {"type": "bits", "n": 2}, "p": entry})


def _escape(text):
    import re

    return re.escape(text)


def test_standalone_parameters_raise_with_their_type_or_given_name():
    with pytest.raises(ValueError, match=r"^Real: log=True needs lo > 0, got lo=0$"):
        Real(0, 1, log=True)
    with pytest.raises(ValueError, match=r"^parameter 'lr': log=True needs lo > 0, got lo=0$"):
        Real(0, 1, log=True, name="lr")
    with pytest.raises(ValueError, match="^Categorical: choices must not be empty"):
        Categorical(())


@pytest.mark.parametrize("build, exc, message", [
    (lambda: Space(), ValueError, "at least one parameter"),
    (lambda: Space({}), ValueError, "at least one parameter"),
    (lambda: Space([("a", Bits(1)), ("a", Bits(2))]), ValueError, "parameter 'a': duplicate"),
    (lambda: Space({"a": Bits(1)}, a=Bits(2)), ValueError, "parameter 'a': duplicate"),
    (lambda: Space({"1a": Bits(1)}), ValueError, "parameter '1a': the name must be"),
    (lambda: Space({"a-b": Bits(1)}), ValueError, "parameter 'a-b': the name must be"),
    (lambda: Space({"": Bits(1)}), ValueError, "parameter '': the name must be"),
    (lambda: Space({3: Bits(1)}), ValueError, "parameter 3: the name must be"),
    (lambda: Space(a=(0, 1)), TypeError, "parameter 'a': expected a Real"),
    (lambda: Space([("a", Bits(1), 3)]), TypeError, "pairs"),
    (lambda: Space.from_dict([("a", {})]), TypeError, "must be a dict"),
])
def test_invalid_spaces(build, exc, message):
    with pytest.raises(exc, match=_escape(message)):
        build()


def test_non_json_choices_are_allowed_but_to_dict_names_them():
    fn = len
    space = Space(f=Categorical([fn, abs]), t=Categorical([(1, 2), [3]]), x=Real(0, 1))
    assert space.to_params(space.decode([[0.2, 0.9, 0.1, 0.8, 0.5]]))[0] == {
        "f": abs, "t": [3], "x": 0.5}
    assert space.validate({"f": len, "t": [3], "x": 1})["t"] == [3]
    with pytest.raises(ValueError, match="parameter 'f': choice <built-in function len> is not"):
        space.to_dict()
    with pytest.raises(ValueError, match="parameter 'n': choice nan is not a JSON scalar"):
        Space(n=Categorical([0.5, math.nan])).to_dict()


# --- validate ------------------------------------------------------------------------------------

@pytest.fixture
def space():
    return Space(lr=Real(1e-4, 1.0, log=True), depth=Integer(1, 8),
                 act=Categorical(["relu", "tanh", None]), mask=Bits(3), tour=Permutation(4),
                 w=Array((2, 2), -1, [1, 2]))


GOOD = {"lr": 0.1, "depth": 3, "act": "tanh", "mask": [True, False, True],
        "tour": [3, 1, 0, 2], "w": [[0, 0.5], [-1, 2]]}


def test_validate_normalizes(space):
    numpy_values = {"lr": np.float32(0.5), "depth": np.int16(8), "act": np.str_("relu"),
                    "mask": np.array([1, 0, 1]), "tour": (0, 1, 2, 3), "w": np.eye(2, dtype=int)}
    out = space.validate(numpy_values)
    assert list(out) == list(space.names)
    assert type(out["lr"]) is float and out["lr"] == 0.5
    assert type(out["depth"]) is int and out["depth"] == 8
    assert type(out["act"]) is str and out["act"] == "relu"
    assert out["mask"].dtype == bool and out["mask"].tolist() == [True, False, True]
    assert out["tour"].dtype == np.int64 and out["tour"].tolist() == [0, 1, 2, 3]
    assert out["w"].dtype == np.float64 and out["w"].tolist() == [[1, 0], [0, 1]]
    assert space.validate({**GOOD, "act": None})["act"] is None
    assert space.validate({**GOOD, "lr": 1})["lr"] == 1.0


@pytest.mark.parametrize("name, value, exc, message", [
    ("lr", 2.0, ValueError, "value 2.0 is outside [0.0001, 1.0]"),
    ("lr", 0.0, ValueError, "outside"),
    ("lr", math.nan, ValueError, "outside"),
    ("lr", 10**400, ValueError, "outside"),
    ("lr", "0.1", TypeError, "expected a real number"),
    ("lr", True, TypeError, "expected a real number"),
    ("lr", None, TypeError, "expected a real number"),
    ("depth", 9, ValueError, "value 9 is outside [1, 8]"),
    ("depth", 3.0, TypeError, "expected an int, got 3.0"),
    ("depth", np.True_, TypeError, "expected an int"),
    ("act", "sigmoid", ValueError, "'sigmoid' is not one of the choices"),
    ("act", ["relu"], ValueError, "is not one of the choices"),
    ("mask", [True, False], ValueError, "shape (3,), got shape (2,)"),
    ("mask", [1, 2, 0], ValueError, "value 2 is outside [0, 1]"),
    ("mask", [0.0, 1.0, 0.0], TypeError, "expected bools"),
    ("mask", True, ValueError, "got shape ()"),
    ("tour", [0, 1, 1, 2], ValueError, "[0, 1, 1, 2] is not a permutation of 0..3"),
    ("tour", [0, 1, 2, 4], ValueError, "is not a permutation"),
    ("tour", [0, 1, 2], ValueError, "shape (4,), got shape (3,)"),
    ("tour", [0.0, 1.0, 2.0, 3.0], TypeError, "expected integers"),
    ("w", [[0, 0], [0, 2.5]], ValueError, "value 2.5 at index (1, 1) is outside [-1.0, 2.0]"),
    ("w", [[0, 0], [0, math.nan]], ValueError, "outside"),
    ("w", [0, 0, 0, 0], ValueError, "shape (2, 2), got shape (4,)"),
    ("w", [[True, False], [True, True]], TypeError, "expected real numbers"),
    ("w", "abcd", TypeError, "expected real numbers"),
])
def test_validate_rejects_bad_values_naming_the_parameter(space, name, value, exc, message):
    with pytest.raises(exc, match=f"parameter '{name}': .*" + _escape(message)):
        space.validate({**GOOD, name: value})
    if (name, exc) != ("w", TypeError) or isinstance(value, str):
        # from_params checks arrays in bulk, where bool entries read as 0/1 (documented)
        with pytest.raises(exc, match=f"parameter '{name}'"):
            space.from_params([GOOD, {**GOOD, name: value}])


def test_validate_rejects_missing_and_unknown_names(space):
    bad = {k: v for k, v in GOOD.items() if k != "depth"} | {"dpeth": 3}
    with pytest.raises(ValueError, match="params: missing 'depth' and unknown 'dpeth'"):
        space.validate(bad)
    with pytest.raises(ValueError, match=r"params\[1\]: missing 'depth'"):
        space.from_params([GOOD, bad])
    with pytest.raises(ValueError, match=r"params\[0\]: unknown 'extra'"):
        space.from_params([{**GOOD, "extra": 1}])
    with pytest.raises(TypeError, match="params must be a dict"):
        space.validate([0.1, 3])


# --- genomes, vectors, layout ---------------------------------------------------------------------

def test_layout_and_vector_steps(space):
    assert space.dim == 1 + 1 + 3 + 3 + 4 + 4 and len(space) == 6
    assert space.kinds == {"real", "integer", "categorical", "bits", "permutation", "array"}
    assert space.slices["act"] == slice(2, 5) and space.slices["w"] == slice(12, 16)
    expected = [0, 1 / 8, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]
    np.testing.assert_array_equal(space.vector_steps, expected)
    with pytest.raises(ValueError):
        space.vector_steps[0] = 1.0


def test_encodings_match_the_documented_formulas(space):
    X = space.encode([GOOD])[0]
    assert X[0] == pytest.approx((math.log(0.1) - math.log(1e-4)) / -math.log(1e-4), abs=1e-15)
    assert X[1] == (3 - 1 + 0.5) / 8
    assert X[2:5].tolist() == [0.25, 0.75, 0.25]
    assert X[5:8].tolist() == [0.75, 0.25, 0.75]
    assert X[8:12].tolist() == [2.5 / 4, 1.5 / 4, 3.5 / 4, 0.5 / 4]  # key of tour[j] is (j+.5)/n
    assert X[12:16].tolist() == [0.5, 0.5, 0.0, 1.0]  # lo = -1, hi = [1, 2] per row
    assert space.center()["depth"].tolist() == [4] and space.center()["w"].tolist() == [
        [[0.0, 0.5], [0.0, 0.5]]]


def test_decode_clips_ties_and_rejects_nan(space):
    X = np.full((2, space.dim), 0.5)
    X[1] = -1e300
    X[1, space.slices["w"]] = math.inf
    g = space.decode(X)
    assert g["tour"][0].tolist() == [0, 1, 2, 3]  # equal keys: stable order
    assert g["act"][0] == 0 and g["mask"][0].all()  # argmax ties: first; 0.5 decodes to True
    assert g["lr"][1] == 1e-4 and g["depth"][1] == 1 and g["w"][1].tolist() == [[1, 2], [1, 2]]
    assert g["act"][1] == 0 and not g["mask"][1].any() and g["tour"][1].tolist() == [0, 1, 2, 3]
    X[1, space.slices["mask"]] = math.nan
    with pytest.raises(ValueError, match="NaN entries in columns 'mask'"):
        space.decode(X)
    with pytest.raises(ValueError, match=r"shape \(n, 16\)"):
        space.decode(X[0])


def test_genome_checks(space):
    g = space.sample(0, 3)
    with pytest.raises(ValueError, match="genome: missing 'w'"):
        space.to_params({k: v for k, v in g.items() if k != "w"})
    with pytest.raises(ValueError, match="one population length"):
        space.encode_genome({**g, "lr": g["lr"][:2]})
    with pytest.raises(ValueError, match="parameter 'mask': genome column has shape"):
        space.to_columns({**g, "mask": g["mask"][:, :2]})
    with pytest.raises(ValueError, match="parameter 'depth': value 0 is outside"):
        space.validate_genome({**g, "depth": np.array([1, 0, 2])})
    with pytest.raises(TypeError, match="parameter 'lr': expected a real number"):
        space.validate_genome({**g, "lr": np.array(["a", "b", "c"])})


def test_to_params_returns_fresh_user_values(space):
    g = space.sample(5, 2)
    rows = space.to_params(g)
    rows[0]["mask"][:] = ~rows[0]["mask"]
    rows[0]["w"][:] = 7.0
    np.testing.assert_array_equal(space.sample(5, 2)["mask"], g["mask"])
    np.testing.assert_array_equal(space.sample(5, 2)["w"], g["w"])
    assert all(type(r["lr"]) is float and type(r["depth"]) is int for r in rows)


def test_to_columns_maps_choices(space):
    g = space.from_params([GOOD, {**GOOD, "act": None, "depth": 5}])
    cols = space.to_columns(g)
    assert cols["act"].dtype == object and cols["act"].tolist() == ["tanh", None]
    assert cols["depth"].tolist() == [3, 5] and cols["lr"].dtype == np.float64
    cols = Space(a=Categorical(["x", "yy"])).to_columns({"a": np.array([1, 1, 0])})
    assert cols["a"].tolist() == ["yy", "yy", "x"] and cols["a"].dtype.kind == "U"
    cols["a"][0] = "z"  # a copy, not a view of the choices


# --- definitions: equality, diff, naming ---------------------------------------------------------

def test_equality_and_diff():
    a = Space(x=Real(0, 1), k=Integer(1, 3), c=Categorical(["a", "b"]))
    assert a == Space(x=Real(0.0, 1.0), k=Integer(1, 3), c=Categorical(("a", "b")))
    assert a != Space(k=Integer(1, 3), x=Real(0, 1), c=Categorical(["a", "b"]))
    b = Space(x=Real(0, 1, log=False), k=Real(1, 3), c=Categorical(["a", "b", "c"]), m=Bits(2))
    assert a.diff(b) == [
        "parameter 'm' added",
        "parameter 'k': type int -> real",
        "parameter 'c': choices ['a', 'b'] -> ['a', 'b', 'c']",
    ]
    assert a.diff(Space(c=Categorical(["a", "b"]), x=Real(0, 1), k=Integer(1, 3))) == [
        "parameter order changed: x, k, c -> c, x, k"]
    assert Space(c=Categorical([1, 2])).diff(Space(c=Categorical([1.0, 2]))) != []
    w = Space(w=Array(2, 0, [1, 2]))
    assert w.diff(Space(w=Array((2,), 0.0, [1.0, 3.0]))) == [
        "parameter 'w': hi [1.0, 2.0] -> [1.0, 3.0]"]
    assert w == Space(w=Array([2], 0, np.array([1, 2]))) != Space(w=Array(2, 0, 1))
    with pytest.raises(TypeError):
        a.diff({"x": Real(0, 1)})


def test_params_are_copied_into_spaces_with_their_names():
    r = Real(0, 1)
    a, b = Space(x=r), Space(y=r)
    assert r.name is None and a["x"].name == "x" and b["y"].name == "y"
    assert a["x"] == r == b["y"]
    with pytest.raises(ValueError, match="parameter 'y': value 2"):
        b.validate({"y": 2})


@SETTINGS
@given(st.floats(-1e9, 1e9), st.floats(0, 1e9), st.sampled_from(["real", "int", "array"]))
def test_any_empty_interval_is_rejected_naming_the_parameter(hi, gap, kind):
    lo = hi + gap  # lo >= hi
    entry = {"type": kind, "lo": lo, "hi": hi}
    if kind == "int":
        entry = {"type": kind, "lo": int(lo), "hi": int(lo) - int(gap)}
    elif kind == "array":
        entry["shape"] = [2]
    with pytest.raises(ValueError, match="parameter 'q': needs lo < hi"):
        Space.from_dict({"q": entry})


def test_long_type_spellings_and_construction_orders():
    long = Space.from_dict({"a": {"type": "integer", "lo": 0, "hi": 2},
                            "b": {"type": "categorical", "choices": [True, False]},
                            "c": {"type": "permutation", "n": 3}})
    assert long == Space([("a", Integer(0, 2)), ("b", Categorical([True, False]))],
                         c=Permutation(3))
    assert long.to_dict()["c"] == {"type": "perm", "n": 3}
    assert Space({"z": Bits(1), "a": Bits(1)}).names == ("z", "a")


def test_spaces_pickle(space):
    import pickle

    again = pickle.loads(pickle.dumps(space))
    assert again == space and again.diff(space) == []
    assert_genomes_equal(space, again.sample(4, 3), space.sample(4, 3), exact=True)


@pytest.mark.parametrize("n, exc", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_sample_rejects_bad_counts(space, n, exc):
    with pytest.raises(exc, match="n must be"):
        space.sample(0, n)
