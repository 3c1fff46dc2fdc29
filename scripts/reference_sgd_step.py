#!/usr/bin/env python3
"""Independent reference for ShardNet's tests: one mini-batch SGD step of a tiny network,
computed in float64 with numpy exactly as Nielsen's network2.py does it (a per-sample
backprop loop, column vectors, the book's 1-based layers).

Network [3, 4, 2]; weights and biases below; a mini-batch of the 3 samples X with labels Y;
n = 3 training samples; eta = 0.5; lambda = 0.1. Prints the expected parameters after the
step for the quadratic and the cross-entropy cost, in ShardNet's layout (per layer: weights
row-major (out, in), then biases). Tests/ShardNetTests/ReferenceStepTests.swift holds this
output; rerun the script to regenerate it.
"""
import numpy as np

sizes = [3, 4, 2]
W = [np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.05, -0.15, 0.25]]),
     np.array([[0.3, -0.1, 0.2, 0.4], [-0.5, 0.6, -0.2, 0.1]])]
B = [np.array([[0.1], [-0.1], [0.2], [0.0]]), np.array([[0.05], [-0.05]])]
X = [np.array([[0.0], [0.5], [1.0]]), np.array([[0.9], [0.1], [0.3]]), np.array([[0.2], [0.8], [0.6]])]
Y = [0, 1, 1]
eta, lmbda, n = 0.5, 0.1, 3


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(x, y, cost):
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


for cost in ["quadratic", "cross-entropy"]:
    nb = [np.zeros(b.shape) for b in B]
    nw = [np.zeros(w.shape) for w in W]
    for x, label in zip(X, Y):
        y = np.zeros((2, 1)); y[label] = 1.0
        db, dw = backprop(x, y, cost)
        nb = [a + d for a, d in zip(nb, db)]
        nw = [a + d for a, d in zip(nw, dw)]
    m = len(X)
    w2 = [(1 - eta * (lmbda / n)) * w - (eta / m) * g for w, g in zip(W, nw)]
    b2 = [b - (eta / m) * g for b, g in zip(B, nb)]
    flat = []
    for w, b in zip(w2, b2):
        flat += list(w.reshape(-1)) + list(b.reshape(-1))
    print(cost + ": [" + ", ".join("%.9f" % v for v in flat) + "]")
