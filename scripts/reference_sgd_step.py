#!/usr/bin/env python3
"""Independent reference for ShardNet's tests: one mini-batch SGD step of a tiny network,
computed in float64 with numpy exactly as Nielsen's network2.py does it (a per-sample
backprop loop, column vectors, the book's 1-based layers).

Network [3, 4, 2]; weights and biases below; eta = 0.5; lambda = 0.1. Prints, for the
quadratic and the cross-entropy cost, the expected parameters in ShardNet's layout (per layer:
weights row-major (out, in), then biases):

- "one step": one mini-batch of the first 3 samples, n = 3 training samples (m = n = 3);
- "two steps": all 5 samples, n = 5, m = 3, in order: a full step on samples 0-2, then the
  last, partial mini-batch of samples 3-4, averaged over its own size 2 (network2.py's
  eta/len(mini_batch)), the L2 decay over n = 5 in both steps.

Tests/ShardNetTests/Training/ReferenceStepTests.swift holds this output (`expected` and
`expectedTwoSteps`); to regenerate them, rerun the script (python3 scripts/reference_sgd_step.py)
and paste each printed block, as printed, into the dictionary named in its heading.
"""
import numpy as np

sizes = [3, 4, 2]
W = [np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.05, -0.15, 0.25]]),
     np.array([[0.3, -0.1, 0.2, 0.4], [-0.5, 0.6, -0.2, 0.1]])]
B = [np.array([[0.1], [-0.1], [0.2], [0.0]]), np.array([[0.05], [-0.05]])]
X = [np.array([[0.0], [0.5], [1.0]]), np.array([[0.9], [0.1], [0.3]]), np.array([[0.2], [0.8], [0.6]]),
     np.array([[0.7], [0.4], [0.05]]), np.array([[0.3], [0.95], [0.45]])]
Y = [0, 1, 1, 0, 1]
eta, lmbda = 0.5, 0.1


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(W, B, x, y, cost):
    nabla_b = [np.zeros(b.shape) for b in B]
    nabla_w = [np.zeros(w.shape) for w in W]
    activation, activations, zs = x, [x], []
    for b, w in zip(B, W):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    a = activations[-1]
    if cost == "quadratic":
        delta = (a - y) * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
    else:
        delta = a - y
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(sizes)):
        sp = sigmoid(zs[-l]) * (1 - sigmoid(zs[-l]))
        delta = np.dot(W[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def update_mini_batch(W, B, batch, n, cost):
    """network2.py's update_mini_batch: the gradient averaged over len(batch), L2 decay over n."""
    nb = [np.zeros(b.shape) for b in B]
    nw = [np.zeros(w.shape) for w in W]
    for x, label in batch:
        y = np.zeros((2, 1)); y[label] = 1.0
        db, dw = backprop(W, B, x, y, cost)
        nb = [a + d for a, d in zip(nb, db)]
        nw = [a + d for a, d in zip(nw, dw)]
    m = len(batch)
    w2 = [(1 - eta * (lmbda / n)) * w - (eta / m) * g for w, g in zip(W, nw)]
    b2 = [b - (eta / m) * g for b, g in zip(B, nb)]
    return w2, b2


def swift_entry(cost, W, B):
    """The parameters as a Swift dictionary entry, 6 values a line, ready to paste."""
    values = []
    for w, b in zip(W, B):
        values += list(w.reshape(-1)) + list(b.reshape(-1))
    key = {"quadratic": ".quadratic", "cross-entropy": ".crossEntropy"}[cost]
    rows = [", ".join("%.9f" % v for v in values[i:i + 6]) for i in range(0, len(values), 6)]
    return "        " + key + ": [\n" + ",\n".join("            " + r for r in rows) + ",\n        ],"


samples = list(zip(X, Y))
m = 3
print("// one step (samples 0-2, n = 3, m = 3): `expected`")
for cost in ["quadratic", "cross-entropy"]:
    w, b = update_mini_batch(W, B, samples[:3], 3, cost)
    print(swift_entry(cost, w, b))
print("// two steps (samples 0-4, n = 5, m = 3: a full step on 0-2, then a partial step on 3-4): `expectedTwoSteps`")
for cost in ["quadratic", "cross-entropy"]:
    w, b = W, B
    for k in range(0, len(samples), m):
        w, b = update_mini_batch(w, b, samples[k:k + m], len(samples), cost)
    print(swift_entry(cost, w, b))


# ---------------------------------------------------------------------------------------------
# Chapter 3 (ShardNet format version 3): the blocks below are printed after the two above,
# which stay byte-for-byte as they were. Same network, samples and eta; every case is
# "two steps" (samples 0-4, n = 5, m = 3: a full step on 0-2, then the partial step on 3-4),
# so momentum's velocity carries from the first step into the second. Each case is one entry
# of `Chapter3ReferenceStepTests.expected` (Tests/ShardNetTests/Training/), keyed by its name.
#
# Per sample, in float64, as network2.py would: f the hidden activation (sigmoid, tanh, or
# relu with f'(z) = 1 if z > 0 else 0), the output layer sigmoid (delta = (a - y) sigma'(z) for
# the quadratic cost, a - y for cross-entropy) or a softmax trained with the log-likelihood
# cost (delta = a - y). Updates (g: the gradient summed over the batch, m its size, n = 5):
#   plain:     w <- (1 - eta lmbda/n) w - (eta/m) g - (eta l1/n) sgn(w)          (sgn 0 = 0)
#   momentum:  v <- mu v - ((eta/m) g + (eta lmbda/n) w + (eta l1/n) sgn(w)),  w <- w + v
#   Nesterov:  v as above, w <- w + mu v - ((eta/m) g + (eta lmbda/n) w + (eta l1/n) sgn(w))
# Biases: the same with lmbda = l1 = 0. The velocity starts at 0.
# ---------------------------------------------------------------------------------------------

def activate(f, z):
    if f == "sigmoid":
        return sigmoid(z)
    if f == "tanh":
        return np.tanh(z)
    if f == "relu":
        return np.maximum(z, 0.0)
    raise ValueError(f)


def derivative(f, z):
    if f == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if f == "tanh":
        return 1 - np.tanh(z) ** 2
    if f == "relu":
        return (z > 0).astype(np.float64)
    raise ValueError(f)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def backprop3(W, B, x, y, hidden, output, cost):
    """network2.py's backprop with hidden activation `hidden` and output layer `output`."""
    nabla_b = [np.zeros(b.shape) for b in B]
    nabla_w = [np.zeros(w.shape) for w in W]
    activation, activations, zs = x, [x], []
    for i, (b, w) in enumerate(zip(B, W)):
        z = np.dot(w, activation) + b
        zs.append(z)
        if i < len(W) - 1:
            activation = activate(hidden, z)
        else:
            activation = softmax(z) if output == "softmax" else sigmoid(z)
        activations.append(activation)
    a = activations[-1]
    if cost == "quadratic":
        delta = (a - y) * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
    else:  # cross-entropy with sigmoid outputs, log-likelihood with a softmax
        delta = a - y
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(sizes)):
        delta = np.dot(W[-l + 1].transpose(), delta) * derivative(hidden, zs[-l])
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def step3(W, B, VW, VB, batch, n, case):
    """One mini-batch step of `case`; returns the new weights, biases and velocities."""
    nb = [np.zeros(b.shape) for b in B]
    nw = [np.zeros(w.shape) for w in W]
    for x, label in batch:
        y = np.zeros((2, 1)); y[label] = 1.0
        db, dw = backprop3(W, B, x, y, case["hidden"], case["output"], case["cost"])
        nb = [a + d for a, d in zip(nb, db)]
        nw = [a + d for a, d in zip(nw, dw)]
    m = len(batch)
    lam, l1, mu, nesterov = case["lmbda"], case["l1"], case["mu"], case["nesterov"]
    if mu == 0:
        W2 = [(1 - eta * (lam / n)) * w - (eta / m) * g - (eta * l1 / n) * np.sign(w) for w, g in zip(W, nw)]
        B2 = [b - (eta / m) * g for b, g in zip(B, nb)]
        return W2, B2, VW, VB
    qw = [(eta / m) * g + (eta * lam / n) * w + (eta * l1 / n) * np.sign(w) for w, g in zip(W, nw)]
    qb = [(eta / m) * g for g in nb]
    VW2 = [mu * v - q for v, q in zip(VW, qw)]
    VB2 = [mu * v - q for v, q in zip(VB, qb)]
    if nesterov:
        W2 = [w + mu * v - q for w, v, q in zip(W, VW2, qw)]
        B2 = [b + mu * v - q for b, v, q in zip(B, VB2, qb)]
    else:
        W2 = [w + v for w, v in zip(W, VW2)]
        B2 = [b + v for b, v in zip(B, VB2)]
    return W2, B2, VW2, VB2


def swift_case_entry(name, W, B):
    """The parameters as a Swift dictionary entry keyed by the case's name, 6 values a line."""
    values = []
    for w, b in zip(W, B):
        values += list(w.reshape(-1)) + list(b.reshape(-1))
    rows = [", ".join("%.9f" % v for v in values[i:i + 6]) for i in range(0, len(values), 6)]
    return '        "' + name + '": [\n' + ",\n".join("            " + r for r in rows) + ",\n        ],"


# W with two weights exactly 0, w[0][0, 0] and w[0][3, 2] (parameters 0 and 11: the first and
# the last of layer 0's 12 weights, so that both a vector body and a scalar tail of the update
# kernel meet a zero): the L1 cases check sgn(0) = 0 there.
W_ZERO = [w.copy() for w in W]
W_ZERO[0][0, 0] = 0.0
W_ZERO[0][3, 2] = 0.0

# name: hidden activation, output layer, cost, L2 lmbda, L1, momentum mu, Nesterov, initial W.
base = dict(hidden="sigmoid", output="sigmoid", cost="cross-entropy", lmbda=0.1, l1=0.0, mu=0.0, nesterov=False, W=W)
cases = [
    ("momentum", dict(base, mu=0.9)),
    ("nesterov", dict(base, mu=0.9, nesterov=True)),
    ("l1", dict(base, l1=0.2, W=W_ZERO)),
    ("momentum-l1", dict(base, lmbda=0.0, l1=0.2, mu=0.5, W=W_ZERO)),
    ("softmax", dict(base, output="softmax", cost="log-likelihood")),
    ("tanh", dict(base, hidden="tanh", cost="quadratic")),
    ("relu", dict(base, hidden="relu", output="softmax", cost="log-likelihood")),
    ("relu-nesterov", dict(base, hidden="relu", output="softmax", cost="log-likelihood", mu=0.9, nesterov=True)),
]
print("// chapter 3, two steps (samples 0-4, n = 5, m = 3; velocity from 0): `Chapter3ReferenceStepTests.expected`")
for name, case in cases:
    w, b = case["W"], B
    vw, vb = [np.zeros(x.shape) for x in w], [np.zeros(x.shape) for x in b]
    for k in range(0, len(samples), m):
        w, b, vw, vb = step3(w, b, vw, vb, samples[k:k + m], len(samples), case)
    print(swift_case_entry(name, w, b))
