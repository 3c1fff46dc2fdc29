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
