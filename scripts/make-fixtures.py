#!/usr/bin/env python3
# Regenerate with:  python3 scripts/make-fixtures.py   (needs torch and safetensors; CPU only, seeded)
"""PyTorch-written fixtures for GRUKit's safetensors reader and the `gru` tool.

Writes into Tests/GRUKitTests/Fixtures/ (a few KB in all). The Swift tests only read these files;
they never need PyTorch. For every model NAME:

  NAME.safetensors           the state dict, exactly as `safetensors.torch.save_file(model.state_dict())`
                             writes it (some with a prefix such as `rnn.` and extra non-GRU tensors)
  NAME.inputs.safetensors    x (T×B×I), h0 (B×H, or L×B×H for a stacked GRU), g (T×B×H), in the
                             model's dtype (float32, or float64 for the float64 model)
  NAME.expected.safetensors  what torch.autograd computes for L = Σ g ⊙ h, with h the outputs of the
                             last layer at all T steps:
                               h                 T×B×H
                               grad.KEY          ∂L/∂(parameter KEY) for every GRU key of the state dict
                               grad.x, grad.h0   ∂L/∂x, ∂L/∂h0
                             and, for every GRU layer whose recurrent weight is KEY (…weight_hh_l{k}):
                               projected_hn.KEY  P_δ(W_hn) for δ = 0.2 (H×H, float64, torch.linalg.svd)
  fixtures.json              per file and tensor: float64 sum, sum of squares and first values (as
                             read by PyTorch); per GRU layer: singular values of W_hn, ‖W_hn‖₂,
                             ρ(J) for J = ½I + ¼W_hn (torch.linalg.eigvals, float64), the projected
                             singular values, the number clipped at 2 − δ.

The float16 / bfloat16 models have no inputs/expected files (PyTorch's CPU GRU in half precision is
not a useful oracle); their decoded values are checked through fixtures.json.
"""
import json
import os

import torch
import torch.nn as nn
from safetensors.torch import save_file

I, H, T, B = 5, 4, 6, 3
DELTA = 0.2
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "GRUKitTests", "Fixtures")


class Tagger(nn.Module):
    """A GRU under the prefix `rnn.` with a decoder beside it, as a student's model would be."""

    def __init__(self, layers):
        super().__init__()
        self.rnn = nn.GRU(I, H, num_layers=layers)
        self.decoder = nn.Linear(H, 3)

    def forward(self, x, h0):
        return self.rnn(x, h0)


def set_candidate_block(weight_hh, block):
    """Overwrite rows 2H..3H (W_hn, gate order r, z, n) of a weight_hh tensor."""
    with torch.no_grad():
        weight_hh[2 * H:3 * H, :] = block


def projected(w, delta):
    """P_δ(W) = U diag(min(σ_i, 2 − δ)) Vᵀ in float64 (Kanai et al. 2017, eq. 12–14)."""
    u, s, vt = torch.linalg.svd(w.double())
    return u @ torch.diag(torch.clamp(s, max=2 - delta)) @ vt, s


def layer_report(state, key):
    w = state[key].double()
    hn = w[2 * H:3 * H, :]
    p, s = projected(hn, DELTA)
    j = 0.5 * torch.eye(H, dtype=torch.float64) + 0.25 * hn
    rho = torch.linalg.eigvals(j).abs().max().item()
    return {
        "singular_values": s.tolist(),
        "norm2": s[0].item(),
        "rho_j": rho,
        "clipped": int((s > 2 - DELTA).sum().item()),
        "projected_singular_values": torch.linalg.svdvals(p).tolist(),
    }, p


def tensor_summary(t):
    d = t.double().flatten()
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "sum": d.sum().item(),
            "sum_squares": (d * d).sum().item(), "first": d[:4].tolist()}


def gru_of(model):
    return model if isinstance(model, nn.GRU) else model.rnn


def write_model(name, model, dtype, metadata=None, vjp=True):
    model = model.to(dtype)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(OUT, name + ".safetensors"), metadata=metadata)
    info = {"tensors": {k: tensor_summary(v) for k, v in state.items()}, "layers": {}}
    expected = {}
    for key in state:
        if "weight_hh_l" in key:
            info["layers"][key], p = layer_report(state, key)
            expected["projected_hn." + key] = p.contiguous()
    if vjp:
        gru = gru_of(model)
        layers = gru.num_layers
        gen = torch.Generator().manual_seed(1000 + len(name))
        x = torch.randn(T, B, I, generator=gen, dtype=torch.float64).to(dtype).requires_grad_()
        h0_shape = (B, H) if layers == 1 else (layers, B, H)
        h0 = (0.5 * torch.randn(h0_shape, generator=gen, dtype=torch.float64)).to(dtype).requires_grad_()
        g = torch.randn(T, B, H, generator=gen, dtype=torch.float64).to(dtype)
        h, _ = gru(x, h0 if layers > 1 else h0.unsqueeze(0))
        loss = (g * h).sum()
        prefix = "" if gru is model else "rnn."
        params = {prefix + k: v for k, v in gru.named_parameters()}
        grads = torch.autograd.grad(loss, [x, h0] + list(params.values()))
        save_file({"x": x.detach().contiguous(), "h0": h0.detach().contiguous(), "g": g.contiguous()},
                  os.path.join(OUT, name + ".inputs.safetensors"))
        expected["h"] = h.detach().contiguous()
        expected["grad.x"] = grads[0].contiguous()
        expected["grad.h0"] = grads[1].contiguous()
        for (k, _), gk in zip(params.items(), grads[2:]):
            expected["grad." + k] = gk.contiguous()
        info["loss"] = loss.item()
    if expected:
        save_file(expected, os.path.join(OUT, name + ".expected.safetensors"))
    return info


# Extra cases for `gru vjp`: other shapes (B = 1, T = 1, I ≠ H, H = 1, I = 1), both bias settings, a
# prefix, saturated gates, and half-precision files. Each writes VJP.safetensors, VJP.inputs.safetensors
# and VJP.expected.safetensors with the keys above (h, grad.x, grad.h0, grad.KEY) as PyTorch computes them
# in the inputs' dtype (float32 or float64), plus the same quantities computed by PyTorch in float64 from
# the files' exact values under `f64.` (f64.h, f64.grad.x, …). For the half-precision case only the
# float64 results are written (PyTorch's CPU GRU in half precision is not a useful oracle).
VJP_CASES = [
    # name,            T, B, I, H, bias,  model dtype,     inputs dtype,   prefix,          weight scale
    ("vjp_t1_b1",      1, 1, 3, 2, True,  torch.float32,  torch.float32,  "",              1.0),
    ("vjp_h1",         5, 2, 3, 1, False, torch.float32,  torch.float32,  "",              1.0),
    ("vjp_b1_saturated", 9, 1, 2, 6, True, torch.float32, torch.float32,  "",              3.0),
    ("vjp_prefix_wide", 3, 5, 7, 3, False, torch.float32, torch.float32,  "encoder.gru.",  1.0),
    ("vjp_i1_f64",     4, 3, 1, 5, True,  torch.float64,  torch.float64,  "",              1.5),
    ("vjp_bf16_f16",   3, 2, 4, 3, True,  torch.bfloat16, torch.float16,  "",              1.0),
]


def vjp_grads(gru, x, h0, g, keys):
    """h and ∂(Σ g ⊙ h)/∂(x, h0, parameters) for a one-layer GRU, in the tensors' dtype."""
    x = x.clone().requires_grad_()
    h0 = h0.clone().requires_grad_()
    h, _ = gru(x, h0.unsqueeze(0))
    params = [p for _, p in gru.named_parameters()]
    grads = torch.autograd.grad((g * h).sum(), [x, h0] + params)
    out = {"h": h.detach(), "grad.x": grads[0], "grad.h0": grads[1]}
    for k, gk in zip(keys, grads[2:]):
        out["grad." + k] = gk
    return out


def write_vjp_case(seed, name, T, B, I, H, bias, model_dtype, input_dtype, prefix, scale):
    torch.manual_seed(seed)
    gru = nn.GRU(I, H, bias=bias)
    with torch.no_grad():
        for p in gru.parameters():
            p.mul_(scale)
    gru = gru.to(model_dtype)
    keys = [prefix + k for k, _ in gru.named_parameters()]
    state = {prefix + k: v.detach().contiguous() for k, v in gru.state_dict().items()}
    save_file(state, os.path.join(OUT, name + ".safetensors"))
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(T, B, I, generator=gen, dtype=torch.float64).to(input_dtype)
    h0 = (0.5 * torch.randn(B, H, generator=gen, dtype=torch.float64)).to(input_dtype)
    g = torch.randn(T, B, H, generator=gen, dtype=torch.float64).to(input_dtype)
    save_file({"x": x.contiguous(), "h0": h0.contiguous(), "g": g.contiguous()}, os.path.join(OUT, name + ".inputs.safetensors"))
    expected = {}
    if model_dtype == input_dtype and model_dtype in (torch.float32, torch.float64):
        expected.update(vjp_grads(gru, x, h0, g, keys))
    gru64 = gru.to(torch.float64)
    for k, v in vjp_grads(gru64, x.double(), h0.double(), g.double(), keys).items():
        expected["f64." + k] = v
    save_file({k: v.contiguous() for k, v in expected.items()}, os.path.join(OUT, name + ".expected.safetensors"))
    return {"T": T, "B": B, "I": I, "H": H, "bias": bias, "model_dtype": str(model_dtype).replace("torch.", ""),
            "inputs_dtype": str(input_dtype).replace("torch.", ""), "prefix": prefix}


def main():
    os.makedirs(OUT, exist_ok=True)
    summary = {"torch": torch.__version__, "I": I, "H": H, "T": T, "B": B, "delta": DELTA, "files": {}}
    files = summary["files"]

    torch.manual_seed(1)
    files["gru_bias"] = write_model("gru_bias", nn.GRU(I, H), torch.float32, metadata={"format": "pt"})

    torch.manual_seed(2)
    files["gru_nobias"] = write_model("gru_nobias", nn.GRU(I, H, bias=False), torch.float32)

    # σ_1(W_hn) ≈ 3 with a real eigenvalue near 2.6: ‖W‖₂ < 2 fails and ρ(J) > 1 (h* = 0 unstable).
    torch.manual_seed(3)
    m = nn.GRU(I, H)
    set_candidate_block(m.weight_hh_l0, 2.6 * torch.eye(H) + 0.3 * torch.randn(H, H))
    files["gru_large"] = write_model("gru_large", m, torch.float32, metadata={"format": "pt", "note": "sigma1 > 2"})

    # Two layers under `rnn.`; layer 1 has σ_1 ≈ 2.5 but eigenvalues near −2.5, so ρ(J) < 1 although
    # the sufficient condition ‖W‖₂ < 2 fails (the condition is sufficient, not necessary).
    torch.manual_seed(4)
    m = Tagger(layers=2)
    set_candidate_block(m.rnn.weight_hh_l1, -2.5 * torch.eye(H) + 0.2 * torch.randn(H, H))
    files["gru_prefix_2layer"] = write_model("gru_prefix_2layer", m, torch.float32, metadata={"format": "pt"})

    torch.manual_seed(5)
    m = nn.GRU(I, H)
    set_candidate_block(m.weight_hh_l0, 2.2 * torch.randn(H, H) / H ** 0.5)
    files["gru_f64"] = write_model("gru_f64", m, torch.float64, metadata={"format": "pt"})

    torch.manual_seed(6)
    m = nn.GRU(I, H)
    set_candidate_block(m.weight_hh_l0, 2.6 * torch.eye(H) + 0.3 * torch.randn(H, H))
    files["gru_f16"] = write_model("gru_f16", m, torch.float16, vjp=False)
    torch.manual_seed(6)
    m = nn.GRU(I, H)
    files["gru_bf16"] = write_model("gru_bf16", m, torch.bfloat16, vjp=False)

    summary["vjp_cases"] = {case[0]: write_vjp_case(100 + i, *case) for i, case in enumerate(VJP_CASES)}

    with open(os.path.join(OUT, "fixtures.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
