"""The expression language of form descriptions: computed cells, rules, `when` conditions.

A small, safe subset of Python expressions: field codes as names, numbers, text in quotes,
True/False, + − × ÷, comparisons (== != < <= > >= in, not in), and/or/not, lists, and the
functions `filled`, `empty`, `count`, `round`, `abs`, `min`, `max`. Nothing else parses, so a
description file can never run code. A blank answer raises MissingValue (the rule does not
apply), or counts as 0 in sums when `blanks_as_zero` is set.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from desktop.engine.values import row_is_blank


def _count(value: Any) -> int:
    """Answers in a list (rows of a grid with anything in them), or 1 for a filled value."""
    if isinstance(value, list):
        return sum(
            1
            for v in value
            if not (v in (None, "", []) or (isinstance(v, Mapping) and row_is_blank(v)))
        )
    return int(value not in (None, ""))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "filled": lambda *values: all(v not in (None, "", []) for v in values),
    "empty": lambda *values: all(v in (None, "", []) for v in values),
    "count": lambda value: _count(value),
    "round": round,
    "abs": abs,
    "min": min,
    "max": max,
}
_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class MissingValue(Exception):
    """An expression needed a field that has no answer; the rule or computation is skipped."""


@lru_cache(maxsize=1024)
def _parse(expr: str) -> ast.Expression:
    return ast.parse(expr, mode="eval")


def expression_names(expr: str) -> set[str]:
    """Return the field codes an expression reads."""
    tree = _parse(expr)
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in calls}


def check_expression(expr: str, known: set[str]) -> str | None:
    """Return what is wrong with an expression (Chinese), or None when it may be evaluated."""
    try:
        tree = _parse(expr)
    except SyntaxError as exc:
        return f"表达式 {expr!r} 语法错误（{exc.msg}）"
    allowed = (
        ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Name, ast.Constant,
        ast.Call, ast.Load, ast.Tuple, ast.List, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
        *_BINOPS, *_CMPOPS,
    )  # fmt: skip
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            return f"表达式 {expr!r} 含不允许的写法 {type(node).__name__}"
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS
        ):
            return f"表达式 {expr!r} 调用了未知函数（可用：{', '.join(_FUNCTIONS)}）"
    unknown = expression_names(expr) - known
    if unknown:
        return f"表达式 {expr!r} 引用了不存在的字段 {', '.join(sorted(unknown))}"
    return None


def evaluate(expr: str, values: Mapping[str, Any], *, blanks_as_zero: bool = False) -> Any:
    """Evaluate an expression over answers.

    A blank answer raises MissingValue (the caller skips the rule), or counts as 0 in arithmetic
    when `blanks_as_zero` is set (computed sums: a blank A42a adds nothing).
    """
    return _eval(_parse(expr).body, values, blanks_as_zero)


def _eval(node: ast.AST, values: Mapping[str, Any], zero: bool) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value in (None, ""):
            if zero:
                return 0
            raise MissingValue(node.id)
        return value
    if isinstance(node, ast.Tuple | ast.List):
        return [_eval(e, values, zero) for e in node.elts]
    if isinstance(node, ast.Call):
        func = _FUNCTIONS[node.func.id]  # type: ignore[union-attr]
        if node.func.id in ("filled", "empty", "count"):  # type: ignore[union-attr]
            args = [values.get(a.id) if isinstance(a, ast.Name) else _eval(a, values, zero)
                    for a in node.args]  # fmt: skip
        else:
            args = [_eval(a, values, zero) for a in node.args]
        return func(*args)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values, zero), _eval(node.right, values, zero)
        if isinstance(node.op, ast.Div) and right == 0:
            raise MissingValue("÷0")
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, zero)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, values, zero) for v in node.values)
        return any(_eval(v, values, zero) for v in node.values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, zero)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, values, zero)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    raise MissingValue(type(node).__name__)  # unreachable after _check_expression
