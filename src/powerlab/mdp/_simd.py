r"""Float64 vectors (``LANES`` wide) for the compiled kernels of the stochastic solver (numba).

The batched kernels of :mod:`powerlab.mdp._lu` and :mod:`powerlab.mdp._factor` keep B reward
samples side by side (arrays ``[n, B]``, B a multiple of ``LANES``) and run the same arithmetic on
each. Written as loops over the batch, every such loop reads and writes rows of arrays that
the compiler cannot prove distinct, so it either stays scalar or re-checks for overlap on every
row. These intrinsics state the vector operations directly: ``vload(a, i, j)`` is the value
``a[i, j:j+LANES]`` as one ``<LANES x double>`` value (type :data:`f64vec`), and the arithmetic
below works on such values, so a loop that accumulates into a vector keeps it in a register.

Rounding: :func:`vfma` and :func:`vfnma` are fused (one rounding, IEEE 754 fusedMultiplyAdd);
every other operation rounds as its scalar counterpart. Nothing is reassociated, so each
slot's arithmetic is that of a scalar loop over that slot with multiply-adds fused.

The caller guarantees the bounds: ``a`` is a C-contiguous 2-D float64 array, ``0 <= i <
a.shape[0]`` and ``0 <= j <= a.shape[1] - LANES`` (not checked, as numba does not check plain
indexing either).

Numba caches each kernel under its own source file only: after a change here (``LANES`` in
particular, which the kernels read as a compile-time constant), delete the cached kernels of
:mod:`powerlab.mdp._factor` and :mod:`powerlab.mdp._lu` (their ``*.nbi``/``*.nbc`` files in
``__pycache__``) or touch those files.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

__all__ = [
    "LANES",
    "f64vec",
    "vadd",
    "vdiv",
    "vfma",
    "vfnma",
    "vload",
    "vmul",
    "vselect_gt",
    "vsplat",
    "vstore",
    "vsub",
]

LANES = 8  # float64 values per vector (two AVX2 registers, one AVX-512 register)
_VEC = ir.VectorType(ir.DoubleType(), LANES)


class F64Vec(types.Type):  # type: ignore[misc]
    """``LANES`` float64 values as one LLVM vector ``<LANES x double>``."""

    def __init__(self) -> None:
        super().__init__(name=f"f64x{LANES}")


f64vec = F64Vec()


@register_model(F64Vec)
class _F64VecModel(models.PrimitiveModel):  # type: ignore[misc]
    def __init__(self, dmm: Any, fe_type: Any) -> None:
        super().__init__(dmm, fe_type, _VEC)


def _matrix(arr: Any) -> bool:
    return isinstance(arr, types.Array) and arr.ndim == 2 and arr.dtype == types.float64


def _address(context: Any, builder: Any, arrty: Any, arr: Any, i: Any, j: Any) -> Any:
    """Pointer to ``arr[i, j]`` as a pointer to ``<LANES x double>``."""
    ary = context.make_array(arrty)(context, builder, arr)
    row_stride = cgutils.unpack_tuple(builder, ary.strides, 2)[0]
    offset = builder.add(builder.mul(i, row_stride), builder.mul(j, ir.Constant(i.type, 8)))
    start = builder.ptrtoint(ary.data, offset.type)
    return builder.inttoptr(builder.add(start, offset), _VEC.as_pointer())


def _vload(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:
    """``arr[i, j:j+LANES]`` as an :data:`f64vec` value."""
    if not (_matrix(arr) and arr.layout == "C"):
        return None
    sig = f64vec(arr, types.intp, types.intp)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ptr = _address(context, builder, signature.args[0], *args)
        return builder.load(ptr, align=8)

    return sig, codegen


def _vstore(typingctx: Any, arr: Any, i: Any, j: Any, v: Any) -> Any:
    """``arr[i, j:j+LANES] = v``."""
    if not (_matrix(arr) and arr.layout == "C" and v == f64vec):
        return None
    sig = types.void(arr, types.intp, types.intp, f64vec)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ptr = _address(context, builder, signature.args[0], *args[:3])
        builder.store(args[3], ptr, align=8)
        return context.get_dummy_value()

    return sig, codegen


def _vsplat(typingctx: Any, x: Any) -> Any:
    """``x`` in every lane."""
    if not isinstance(x, types.Float):
        return None
    sig = f64vec(types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        vec = ir.Constant(_VEC, ir.Undefined)
        for k in range(LANES):
            vec = builder.insert_element(vec, args[0], ir.Constant(ir.IntType(32), k))
        return vec

    return sig, codegen


def _binary(op: str) -> Any:
    def typer(typingctx: Any, a: Any, b: Any) -> Any:
        if a != f64vec or b != f64vec:
            return None

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return getattr(builder, op)(*args)

        return f64vec(f64vec, f64vec), codegen

    typer.__name__ = typer.__qualname__ = f"v{op}"
    return intrinsic(typer)


vload: Any = intrinsic(_vload)
vstore: Any = intrinsic(_vstore)
vsplat: Any = intrinsic(_vsplat)
vadd: Any = _binary("fadd")
vadd.__doc__ = "``a + b``."
vsub: Any = _binary("fsub")
vsub.__doc__ = "``a - b``."
vmul: Any = _binary("fmul")
vmul.__doc__ = "``a * b``."
vdiv: Any = _binary("fdiv")
vdiv.__doc__ = "``a / b``."


def _fused(negate: bool) -> Any:
    def typer(typingctx: Any, c: Any, a: Any, b: Any) -> Any:
        if c != f64vec or a != f64vec or b != f64vec:
            return None

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            fnty = ir.FunctionType(_VEC, [_VEC, _VEC, _VEC])
            fma = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.fma.v{LANES}f64")
            c_, a_, b_ = args
            return builder.call(fma, [builder.fneg(a_) if negate else a_, b_, c_])

        return f64vec(f64vec, f64vec, f64vec), codegen

    typer.__name__ = typer.__qualname__ = "vfnma" if negate else "vfma"
    return intrinsic(typer)


vfma: Any = _fused(False)
vfma.__doc__ = "``c + a * b`` with one rounding."
vfnma: Any = _fused(True)
vfnma.__doc__ = "``c - a * b`` with one rounding."


def _vselect_gt(typingctx: Any, a: Any, b: Any, x: Any, y: Any) -> Any:
    """Lane by lane, ``x`` where ``a > b`` (ordered: false if either is NaN), else ``y``."""
    if not all(t == f64vec for t in (a, b, x, y)):
        return None
    sig = f64vec(f64vec, f64vec, f64vec, f64vec)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        a_, b_, x_, y_ = args
        return builder.select(builder.fcmp_ordered(">", a_, b_), x_, y_)

    return sig, codegen


vselect_gt: Any = intrinsic(_vselect_gt)
