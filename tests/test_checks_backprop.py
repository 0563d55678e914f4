"""Chapter 04's exercises: the checker accepts correct answers (also ones written differently from the
reference), calls stubs 'not attempted', and rejects plausible wrong answers with the hint that names the
mistake: a gradient overwritten instead of accumulated, a missing transpose in dW, db not summed over the
batch, the 1/N of a mean loss forgotten, the upstream gradient not multiplied in, x[i] never restored, a loop
written for 1-D x only, an add gate that halves the gradient, softmax over the wrong axis, and more."""

from __future__ import annotations

import math

import numpy as np
import pytest

from utils import losses
from utils.autograd import Value
from utils.checks.chapters import backprop as backprop_checks
from utils.data import logic_gate
from utils.training import sgd_step
from utils.xor import xor_network


def _failed_with(verdict, hint: str | None):
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


# ---------------------------------------------------------------------------------------------
# 1. numerical_gradient
# ---------------------------------------------------------------------------------------------
def _loop(f, x, h, formula):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = formula(f(plus), f(x), f(minus), h)
    return grad


def ng_forward(f, x, h=1e-5):
    return _loop(f, x, h, lambda fp, f0, fm, h: (fp - f0) / h)


def ng_divides_by_h(f, x, h=1e-5):
    return _loop(f, x, h, lambda fp, f0, fm, h: (fp - fm) / h)


def ng_sign_flipped(f, x, h=1e-5):
    return _loop(f, x, h, lambda fp, f0, fm, h: (fm - fp) / (2 * h))


def ng_back_to_x(f, x, h=1e-5):  # x[i] += h; f; x[i] -= h; f  -> the second point is x again
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def ng_in_place_not_restored(f, x, h=1e-5):  # nudges the caller's array and never puts it back
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def ng_integer_copy(f, x, h=1e-5):  # x.copy() keeps an int dtype: the nudges are rounded away
    x = x.copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def ng_flat_only(f, x, h=1e-5):  # loops over x.shape[0] only: wrong for a matrix
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = np.sum(f(plus) - f(minus)) / (2 * h)
    return grad


def ng_not_restored(f, x, h=1e-5):  # on a float copy, but x[i] stays at x[i] - h: later entries are off by ~h
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def ng_loop_for_vectors(f, x, h=1e-5):  # range(len(x)): for a matrix, x[i] is a whole row
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


def ng_all_at_once(f, x, h=1e-5):  # every entry nudged together
    x = np.array(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def ng_vectorised(f, x, h=1e-5):  # a correct answer, written differently
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    steps = np.eye(flat.size) * h
    values = [(f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * h) for e in steps]
    return np.array(values).reshape(x.shape)


@pytest.mark.parametrize("answer, hint", [
    (ng_forward, "forward difference"),
    (ng_divides_by_h, "divide by 2h"),
    (ng_sign_flipped, "sign is flipped"),
    (ng_back_to_x, "brings x back to x"),
    (ng_in_place_not_restored, "restore x[i]"),
    (ng_integer_copy, "x holds integers"),
    (ng_flat_only, "range(len(x)), which is right for a vector only"),
    (ng_not_restored, "x[i] is never restored"),
    (ng_loop_for_vectors, "x[i] is a whole row"),
    (ng_all_at_once, "nudged at once"),
])
def test_numerical_gradient_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.numerical_gradient", answer), hint)


def test_numerical_gradient_not_restored_says_what_differs(verdict_of):
    """x[i] never restored is off by ~1e-5 only: the arrays print alike at 4 digits, so the verdict shows the worst
    entry with more digits and the hint says why they print alike."""
    verdict = verdict_of("backprop.numerical_gradient", ng_not_restored)
    assert "expected -0.312998, got -0.312997" in verdict.summary, verdict.render()
    assert "print alike" in verdict.hint


def test_numerical_gradient_other_correct_answer_passes(verdict_of):
    assert verdict_of("backprop.numerical_gradient", ng_vectorised).passed


def test_numerical_gradient_battery_functions_read_well_and_match_torch(verdict_of):
    """Each function shows as its formula in a verdict, and the exact gradients the checker expects (PyTorch's
    autograd of each function's twin) agree with central differences of its NumPy side on every case."""
    assert all(repr(case.args[0]).startswith("f(") for case in backprop_checks.numerical_gradient_cases())
    verdict = verdict_of("backprop.numerical_gradient", ng_forward)
    assert verdict.details[0].startswith("input:    f = f(x) = sum(x ** 3), x = [ 1. , -2. , 0.5]"), verdict.render()
    assert verdict_of("backprop.numerical_gradient", ng_vectorised).passed


# ---------------------------------------------------------------------------------------------
# 2. best_steps
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer, hint", [
    ({"forward": 1e-5, "central": 1e-5}, "further left"),
    ({"forward": 1e-8, "central": 1e-8}, "round-off region"),
    ({"forward": 1e-14, "central": 1e-5}, "round-off dominates"),
    ({"forward": 1e-8, "central": 1e-2}, "truncation error"),
])
def test_best_steps_wrong_choices_explain_why(verdict_of, answer, hint):
    verdict = verdict_of("backprop.best_steps", lambda: answer)
    _failed_with(verdict, hint)


def test_best_steps_rejects_values_that_are_not_choices(verdict_of):
    verdict = verdict_of("backprop.best_steps", lambda: {"forward": 3e-9, "central": 1e-5})
    assert verdict.status == "failed" and "not one of the choices" in verdict.summary


def test_best_steps_figure_data():
    forward, central = backprop_checks.step_errors(np.array([1e-2, 1e-5, 1e-8]))
    assert forward[0] == pytest.approx(0.5 * math.sin(1) * 1e-2, rel=0.02)  # truncation ≈ h f''/2
    assert central[0] == pytest.approx(math.cos(1) / 6 * 1e-4, rel=0.02)  # truncation ≈ h² f'''/6
    assert central[1] < 1e-9 < forward[1]


# ---------------------------------------------------------------------------------------------
# 3. gate_backward
# ---------------------------------------------------------------------------------------------
def gates(add=None, mul=None, mx=None):
    right = {"add": lambda a, b, g: (g, g), "mul": lambda a, b, g: (b * g, a * g),
             "max": lambda a, b, g: (g, 0.0) if a > b else (0.0, g)}
    wrong = {"add": add, "mul": mul, "max": mx}

    def gate_backward(gate, a, b, grad_out):
        return (wrong[gate] or right[gate])(a, b, grad_out)

    return gate_backward


@pytest.mark.parametrize("answer, hint", [
    (gates(add=lambda a, b, g: (1.0, 1.0)), "multiply, dL/da = 1 · grad_out"),
    (gates(add=lambda a, b, g: (g, -g)), "subtraction"),
    (gates(mul=lambda a, b, g: (a * g, b * g)), "*other* input"),
    (gates(mul=lambda a, b, g: (b, a)), "multiply them by the upstream gradient"),
    (gates(mx=lambda a, b, g: (g, g)), "max routes the gradient"),
    (gates(mx=lambda a, b, g: (0.0, g) if a > b else (g, 0.0)), "*larger* input"),
    (gates(mx=lambda a, b, g: (1.0, 0.0) if a > b else (0.0, 1.0)), "not 1"),
    (gates(mx=lambda a, b, g: (max(a, b) * g,) * 2), "not the value of the max"),
    (gates(add=lambda a, b, g: (g / 2, g / 2)), "does not split the gradient in halves"),
    (gates(mx=lambda a, b, g: (a * g, 0.0) if a > b else (0.0, b * g)), "not its value: the winner gets grad_out"),
])
def test_gate_backward_wrong_rules(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.gate_backward", answer), hint)


def test_gate_backward_malformed_answers(verdict_of):
    verdict = verdict_of("backprop.gate_backward", lambda gate, a, b, g: g)
    assert verdict.status == "failed" and "expected a pair" in verdict.summary
    assert "return grad_a, grad_b" in verdict.hint

    def only_add(gate, a, b, g):
        return {"add": (g, g)}[gate]

    verdict = verdict_of("backprop.gate_backward", only_add)
    assert verdict.status == "failed" and "KeyError" in verdict.summary and "by name" in verdict.hint


def test_gate_backward_accepts_numpy_numbers_and_lists(verdict_of):
    answer = gates(add=lambda a, b, g: [np.float64(g), g], mul=lambda a, b, g: np.array([b * g, a * g]))
    assert verdict_of("backprop.gate_backward", answer).passed


# ---------------------------------------------------------------------------------------------
# 4–5. value_mul, value_tanh
# ---------------------------------------------------------------------------------------------
def make_mul(backward):
    def value_mul(a, b):
        out = Value(a.data * b.data, (a, b), "*")

        def _backward():
            backward(a, b, out)

        out._backward = _backward
        return out

    return value_mul


def _mul_overwrite(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _mul_swapped(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _mul_no_chain(a, b, out):
    a.grad += b.data
    b.grad += a.data


def _mul_local_only_assigned(a, b, out):  # the learner forgot to assign _backward: nothing happens
    pass


def _mul_out_data(a, b, out):  # the product's value where its gradient belongs
    a.grad += b.data * out.data
    b.grad += a.data * out.data


def _mul_other_grad(a, b, out):  # the other input's gradient (0) where its value belongs
    a.grad += b.grad * out.grad
    b.grad += a.grad * out.grad


def mul_no_children(a, b):
    out = Value(a.data * b.data)

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


def mul_returns_float(a, b):
    return a.data * b.data


def mul_wrong_forward(a, b):
    out = Value(a.data + b.data, (a, b), "*")
    return out


@pytest.mark.parametrize("answer, hint", [
    (make_mul(_mul_overwrite), "use +="),
    (make_mul(_mul_swapped), "*other* one"),
    (make_mul(_mul_no_chain), "multiply by out.grad"),
    (make_mul(_mul_local_only_assigned), "no gradient reached the inputs"),
    (make_mul(_mul_out_data), "out.data is the product's value"),
    (make_mul(_mul_other_grad), "the other input's *value*"),
    (mul_no_children, "pass the inputs when creating out"),
    (mul_returns_float, "out = Value(number"),
    (mul_wrong_forward, "forward part"),
])
def test_value_mul_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.value_mul", answer), hint)


def test_value_mul_the_engine_itself_passes(verdict_of):
    assert verdict_of("backprop.value_mul", lambda a, b: a * b).passed


def make_tanh(local, accumulate=True, chain=True, upstream="grad"):
    def value_tanh(a):
        t = math.tanh(a.data)
        out = Value(t, (a,), "tanh")

        def _backward():
            g = local(a.data, t) * (getattr(out, upstream) if chain else 1.0)
            if accumulate:
                a.grad += g
            else:
                a.grad = g

        out._backward = _backward
        return out

    return value_tanh


def tanh_precedence(a):  # 1 - t**2 * out.grad: the product is taken first
    t = math.tanh(a.data)
    out = Value(t, (a,), "tanh")

    def _backward():
        a.grad += 1 - t**2 * out.grad

    out._backward = _backward
    return out


@pytest.mark.parametrize("answer, hint", [
    (make_tanh(lambda x, t: 1 - t * t, accumulate=False), "use +="),
    (make_tanh(lambda x, t: 1 - x * x), "uses the input"),
    (make_tanh(lambda x, t: 1 - t), "square the tanh"),
    (make_tanh(lambda x, t: 1 - t * t, chain=False), "multiply by out.grad"),
    (make_tanh(lambda x, t: 1 - t * t, upstream="data"), "out.data is tanh's value"),
    (tanh_precedence, "Python multiplies first"),
])
def test_value_tanh_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.value_tanh", answer), hint)


def test_value_tanh_alternatives_pass(verdict_of):
    assert verdict_of("backprop.value_tanh", lambda a: a.tanh()).passed
    assert verdict_of("backprop.value_tanh", make_tanh(lambda x, t: 1 / math.cosh(x) ** 2)).passed


# ---------------------------------------------------------------------------------------------
# 6. linear_backward
# ---------------------------------------------------------------------------------------------
def lb_overwrite(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.grad = grad_out.T @ X
    layer.bias.grad = grad_out.sum(axis=0)
    return grad_out @ layer.weight.data


def lb_missing_transpose(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(X.T @ grad_out)
    layer.bias.accumulate_grad(grad_out.sum(axis=0))
    return grad_out @ layer.weight.data


def lb_missing_transpose_assigned(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.grad = X.T @ grad_out if layer.weight.grad is None else layer.weight.grad + X.T @ grad_out
    layer.bias.accumulate_grad(grad_out.sum(axis=0))
    return grad_out @ layer.weight.data


def lb_bias_not_summed(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out)
    return grad_out @ layer.weight.data


def lb_bias_mean(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out.mean(axis=0))
    return grad_out @ layer.weight.data


def lb_plus_equals_on_none(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.grad += grad_out.T @ X
    layer.bias.grad += grad_out.sum(axis=0)
    return grad_out @ layer.weight.data


def lb_wrong_dx(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out.sum(axis=0))
    return grad_out @ layer.weight.data.T


def lb_no_return(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out.sum(axis=0))


def lb_weight_mean(layer, grad_out):  # divides by N although grad_out already holds the loss's 1/N
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X / len(X))
    layer.bias.accumulate_grad(grad_out.sum(axis=0))
    return grad_out @ layer.weight.data


def lb_bias_forgotten(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    return grad_out @ layer.weight.data


def lb_bias_summed_over_everything(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out.sum())
    return grad_out @ layer.weight.data


def lb_bias_summed_over_features(layer, grad_out):
    (X,) = layer.saved_arrays
    layer.weight.accumulate_grad(grad_out.T @ X)
    layer.bias.accumulate_grad(grad_out.sum(axis=1))
    return grad_out @ layer.weight.data


def lb_plus_equals_guarded(layer, grad_out):  # a correct answer without accumulate_grad
    (X,) = layer.saved_arrays
    for p, g in ((layer.weight, grad_out.T @ X), (layer.bias, grad_out.sum(axis=0))):
        if p.grad is None:
            p.grad = np.zeros_like(p.data)
        p.grad += g
    return grad_out @ layer.weight.data


@pytest.mark.parametrize("answer, hint", [
    (lb_overwrite, "accumulate, as PyTorch does"),
    (lb_missing_transpose, "missing transpose"),
    (lb_missing_transpose_assigned, "missing transpose"),
    (lb_bias_not_summed, "db not summed over the batch"),
    (lb_bias_mean, "*sum* of grad_out"),
    (lb_bias_summed_over_everything, "db summed over everything"),
    (lb_bias_summed_over_features, "db summed along the wrong axis"),
    (lb_plus_equals_on_none, ".grad is None"),
    (lb_wrong_dx, "check the shapes"),
    (lb_no_return, "return dL/dX"),
    (lb_weight_mean, "do not divide by the batch size"),
    (lb_bias_forgotten, "layer.bias.accumulate_grad"),
])
def test_linear_backward_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.linear_backward", answer), hint)


def test_linear_backward_alternatives_pass(verdict_of):
    assert verdict_of("backprop.linear_backward", lb_plus_equals_guarded).passed
    assert verdict_of("backprop.linear_backward", lambda layer, g: layer.backward(g)).passed


@pytest.mark.parametrize("name", ["dX", "weight", "bias"])
def test_linear_backward_gradient_check_is_sharp(verdict_of, name):
    """The exact formulas pass (above); one entry off by 1e-4 in any of the three gradients fails the check."""

    def off_by_a_little(layer, grad_out):
        (X,) = layer.saved_arrays
        grads = {"dX": grad_out @ layer.weight.data, "weight": grad_out.T @ X, "bias": grad_out.sum(axis=0)}
        grads[name].flat[0] += 1e-4
        layer.weight.accumulate_grad(grads["weight"])
        layer.bias.accumulate_grad(grads["bias"])
        return grads["dX"]

    verdict = verdict_of("backprop.linear_backward", off_by_a_little)
    assert verdict.status == "failed" and "fails the gradient check" in verdict.summary, verdict.render()


# ---------------------------------------------------------------------------------------------
# 7. mlp_backward
# ---------------------------------------------------------------------------------------------
def _forward(X, y, W1, b1, W2, b2, softmax_axis=1):
    n = len(X)
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    Z2 = H @ W2.T + b2
    P = np.exp(Z2) / np.exp(Z2).sum(axis=softmax_axis, keepdims=True)  # as written by hand, without the max
    Y = np.eye(W2.shape[0])[y]
    return n, Z1, H, P, Y


def make_mlp(scale_n=True, transpose_w2=False, sum_b1=True, mask=True, sign=1.0, mean_b2=False, onehot=True,
             mask_is_h=False, n_twice=False, softmax_axis=1):
    def mlp_backward(X, y, W1, b1, W2, b2):
        n, Z1, H, P, Y = _forward(X, y, W1, b1, W2, b2, softmax_axis)
        dZ2 = sign * (P - (Y if onehot else 0.0)) / (n if scale_n else 1)
        again = n if n_twice else 1  # dividing by N a second time, in every dW and db
        dW2 = (H.T @ dZ2 if transpose_w2 else dZ2.T @ H) / again
        db2 = dZ2.mean(axis=0) if mean_b2 else dZ2.sum(axis=0) / again
        dZ1 = (dZ2 @ W2) * (H if mask_is_h else (Z1 > 0) if mask else 1.0)
        return {"W1": dZ1.T @ X / again, "b1": dZ1.sum(axis=0) / again if sum_b1 else dZ1, "W2": dW2, "b2": db2}

    return mlp_backward


@pytest.mark.parametrize("answer, hint", [
    (make_mlp(scale_n=False), "1/N of a mean loss"),
    (make_mlp(transpose_w2=True), "missing transpose"),
    (make_mlp(sum_b1=False), "db not summed over the batch"),
    (make_mlp(mask=False), "ReLU's derivative is missing"),
    (make_mlp(sign=-1.0), "sign is flipped"),
    (make_mlp(mean_b2=True), "*sum* of dZ"),
    (make_mlp(n_twice=True), "only once"),
    (make_mlp(onehot=False), "subtract the one-hot targets"),
    (make_mlp(mask_is_h=True), "not by H = relu(Z1)"),
    (make_mlp(softmax_axis=0), "softmax ran down each column"),
    (make_mlp(softmax_axis=None), "softmax ran over the whole (N, C) array"),
])
def test_mlp_backward_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.mlp_backward", answer), hint)


def test_mlp_backward_malformed_answers(verdict_of):
    verdict = verdict_of("backprop.mlp_backward", lambda *args: [1, 2, 3, 4])
    assert verdict.status == "failed" and "'W1', 'b1', 'W2', 'b2'" in verdict.summary


def test_mlp_backward_with_the_course_modules_passes(verdict_of):
    def with_modules(X, y, W1, b1, W2, b2):
        from utils import activations, layers

        net = layers.Sequential(layers.Linear(W1.shape[1], W1.shape[0]), activations.ReLU(),
                                layers.Linear(W2.shape[1], W2.shape[0]))
        net[0].weight.data, net[0].bias.data, net[2].weight.data, net[2].bias.data = W1, b1, W2, b2
        loss = losses.CrossEntropyLoss()
        loss(net(X), y)
        net.backward(loss.backward())
        return {"W1": net[0].weight.grad, "b1": net[0].bias.grad, "W2": net[2].weight.grad, "b2": net[2].bias.grad}

    assert verdict_of("backprop.mlp_backward", with_modules).passed


# ---------------------------------------------------------------------------------------------
# 8. train_xor (the exercise trains 5,000 epochs: about a second)
# ---------------------------------------------------------------------------------------------
def make_train(lr=1.0, epochs=5_000, zero_grad=True, sign=1.0, reshape=True, backward_of_the_loss_value=False):
    def train_xor(rng):
        X, y = logic_gate("xor")
        y = y.reshape(-1, 1) if reshape else y
        model = xor_network(rng)
        loss_fn = losses.MSELoss()
        for _ in range(epochs):
            loss = loss_fn(model(X), y)
            if zero_grad:
                model.zero_grad()
            model.backward(loss if backward_of_the_loss_value else loss_fn.backward())
            for p in model.parameters():
                p.data -= sign * lr * p.grad
        return model

    return train_xor


@pytest.mark.parametrize("answer, hint", [
    (make_train(lr=0.1, epochs=2000), "plateau"),
    (make_train(zero_grad=False, epochs=3000), "zero_grad()"),
    (make_train(sign=-1.0, epochs=200), "step *against* the gradient"),
    (make_train(epochs=800), "a small step such as the classic lr 0.1 or 0.2 needs more than 5,000 epochs"),
    (make_train(reshape=False), "y = y.reshape(-1, 1)"),
    (make_train(backward_of_the_loss_value=True, epochs=3), "not the loss's value"),
])
def test_train_xor_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("backprop.train_xor", answer), hint)


def test_train_xor_malformed_answers(verdict_of):
    verdict = verdict_of("backprop.train_xor", lambda rng: None)
    assert verdict.status == "failed" and "trained network" in verdict.summary and "return model" in verdict.hint
    verdict = verdict_of("backprop.train_xor", lambda rng: (lambda X: np.zeros((4, 3))))
    assert verdict.status == "failed" and "one output per input" in verdict.summary


def test_train_xor_accepts_any_callable_that_computes_xor(verdict_of):
    def numpy_network(rng):  # hand-made weights: a callable returning (4,) outputs is enough
        return lambda X: 1 / (1 + np.exp(-(20 * np.abs(X[:, 0] - X[:, 1]) - 10)))

    assert verdict_of("backprop.train_xor", numpy_network).passed


def test_train_xor_with_sgd_step_passes(verdict_of):
    def train_xor(rng):
        X, y = logic_gate("xor")
        model, loss_fn = xor_network(rng), losses.MSELoss()
        for _ in range(5_000):
            loss_fn(model(X), y.reshape(-1, 1))
            model.zero_grad()
            model.backward(loss_fn.backward())
            sgd_step(model.parameters(), 1.0)
        return model

    assert verdict_of("backprop.train_xor", train_xor).passed


# ---------------------------------------------------------------------------------------------
# Robustness: broken answers give a failed verdict, never a checker error
# ---------------------------------------------------------------------------------------------
EXERCISE_IDS = ["backprop.numerical_gradient", "backprop.best_steps", "backprop.gate_backward", "backprop.value_mul",
                "backprop.value_tanh", "backprop.linear_backward", "backprop.mlp_backward", "backprop.train_xor"]


def _raises(*args, **kwargs):
    raise TypeError("unsupported operand")


def _returns_none(*args, **kwargs):
    return None


def _returns_nan(*args, **kwargs):
    return float("nan")


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("answer", [_raises, _returns_none, _returns_nan, 3], ids=["raises", "none", "nan", "int"])
def test_broken_answers_fail_without_crashing_the_checker(verdict_of, exercise_id, answer):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    assert "checker itself failed" not in verdict.summary
