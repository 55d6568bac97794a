// Fused CPU kernels of the packed selective scan (graphkit.nn.mamba.selective_scan).
//
// Same layout and semantics as packed_selective_scan's PyTorch path: tokens in the slot
// order of a PackedSequences (step-major; the `batch_sizes[t]` lanes running at step t
// sit at slots offsets[t] .. offsets[t] + batch_sizes[t] - 1, and lane j of step t
// continues lane j of step t - 1), channels in G groups of W with their own B and C,
// states stored [T, G, N, W]. As mamba-ssm's selective_scan_fn, the step sizes'
// softplus(delta + bias) and the output's skip and gate, (y + D u) * silu(z), are done
// inside. One pass per direction of time does what the PyTorch version spreads over
// ~25 tensor operations: (forward) step size, decay, update, readout, gate; (backward)
// the adjoint recurrence and every gradient, with step sizes and decays recomputed
// rather than stored (measured faster than reading them back). Also the causal
// depthwise convolution + SiLU that feeds the scan (packed_conv_*). float32 only.

#include <torch/extension.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// 2^x in float32 (relative error ~1e-7), written so the compiler vectorises it:
// x = i + f with i = floor(x), 2^f from its degree-7 Taylor series about f = 0.5
// (|f - 0.5| <= 0.5, so the truncation error is below (0.5 ln 2)^8 / 8! ~ 1e-9), 2^i
// from the exponent bits. Arguments are clamped to [-126, 126]; the scan only takes
// non-positive ones, where 2^-126 is as good as the zero the state decays to.
inline float exp2_fast(float x) {
  x = x < -126.0f ? -126.0f : (x > 126.0f ? 126.0f : x);
  const float i = std::floor(x);
  const float f = (x - i - 0.5f) * 0.6931471805599453f;  // (f - 1/2) ln 2
  float p = 1.0f / 5040.0f;
  p = p * f + 1.0f / 720.0f;
  p = p * f + 1.0f / 120.0f;
  p = p * f + 1.0f / 24.0f;
  p = p * f + 1.0f / 6.0f;
  p = p * f + 0.5f;
  p = p * f + 1.0f;
  p = p * f + 1.0f;
  const int32_t bits = (static_cast<int32_t>(i) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale * 1.4142135623730951f;  // 2^i * 2^(1/2) * e^((f - 1/2) ln 2)
}

constexpr float kLog2E = 1.4426950408889634f;

inline float sigmoid_fast(float x) { return 1.0f / (1.0f + exp2_fast(-x * kLog2E)); }

// softplus(x) = max(x, 0) + log(m), m = 1 + e^-|x| in (1, 2]; log(m) = 2 atanh(r) with
// r = (m - 1) / (m + 1) <= 1/3, whose odd series to r^11 is within (1/3)^13 / 13 ~ 5e-8
inline float softplus_fast(float x) {
  const float m = 1.0f + exp2_fast(-std::fabs(x) * kLog2E);
  const float r = (m - 1.0f) / (m + 1.0f), r2 = r * r;
  float p = 1.0f / 11.0f;
  p = p * r2 + 1.0f / 9.0f;
  p = p * r2 + 1.0f / 7.0f;
  p = p * r2 + 1.0f / 5.0f;
  p = p * r2 + 1.0f / 3.0f;
  p = p * r2 + 1.0f;
  return (x > 0.0f ? x : 0.0f) + 2.0f * r * p;
}

struct Dims {
  int64_t T, D, G, N, W, L;
};

Dims dims_of(const at::Tensor& delta, const at::Tensor& B, const at::Tensor& batch_sizes) {
  Dims d;
  d.T = delta.size(0);
  d.D = delta.size(1);
  d.G = B.size(1);
  d.N = B.size(2);
  d.W = d.D / d.G;
  d.L = batch_sizes.size(0);
  return d;
}

void check(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu(), name, " must be a CPU tensor");
  TORCH_CHECK(t.scalar_type() == at::kFloat, name, " must be float32");
  TORCH_CHECK(t.is_contiguous(), name, " must be contiguous");
}

// A [D, N] -> rates [G, N, W] (scaled by `scale`), the layout the inner loops read
std::vector<float> rates(const at::Tensor& A, const Dims& d, float scale) {
  std::vector<float> out(d.G * d.N * d.W);
  const float* a = A.data_ptr<float>();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t w = 0; w < d.W; ++w)
        out[(g * d.N + n) * d.W + w] = a[(g * d.W + w) * d.N + n] * scale;
  return out;
}

}  // namespace

// Step sizes of one token and group: raw + bias, through softplus if asked (W values)
inline void step_sizes(const float* raw, const float* bias, bool softplus, float* out,
                       int64_t W) {
  if (softplus) {
#pragma GCC ivdep
    for (int64_t w = 0; w < W; ++w) out[w] = softplus_fast(raw[w] + bias[w]);
  } else {
#pragma GCC ivdep
    for (int64_t w = 0; w < W; ++w) out[w] = raw[w] + bias[w];
  }
}

std::vector<at::Tensor> packed_scan_forward(at::Tensor delta, at::Tensor u, at::Tensor A,
                                            at::Tensor B, at::Tensor C, at::Tensor D,
                                            at::Tensor z, at::Tensor delta_bias,
                                            bool softplus, bool gate,
                                            at::Tensor batch_sizes, at::Tensor offsets) {
  for (auto* p : {&delta, &u, &A, &B, &C, &D, &z, &delta_bias}) check(*p, "scan input");
  const Dims d = dims_of(delta, B, batch_sizes);
  TORCH_CHECK(d.D % d.G == 0, "channels must be divisible by the groups of B and C");
  TORCH_CHECK(u.sizes() == delta.sizes() && z.sizes() == delta.sizes(), "u, z must match delta");
  TORCH_CHECK(A.size(0) == d.D && A.size(1) == d.N, "A must be [channels, states]");
  TORCH_CHECK(B.sizes() == C.sizes() && B.size(0) == d.T, "B, C must be [tokens, groups, states]");
  TORCH_CHECK(D.numel() == d.D && delta_bias.numel() == d.D, "D, delta_bias must be [channels]");
  TORCH_CHECK(offsets.size(0) == d.L, "batch_sizes and offsets must have one entry per step");
  const int64_t* sizes = batch_sizes.data_ptr<int64_t>();
  const int64_t* offs = offsets.data_ptr<int64_t>();
  auto h = at::empty({d.T, d.G, d.N, d.W}, delta.options());
  auto y = at::empty({d.T, d.D}, delta.options());    // the scan's readout, for the backward
  auto out = at::empty({d.T, d.D}, delta.options());  // (y + D u) * silu(z)
  const std::vector<float> a2 = rates(A, d, kLog2E);
  const float *raw = delta.data_ptr<float>(), *uu = u.data_ptr<float>();
  const float *bb = B.data_ptr<float>(), *cc = C.data_ptr<float>();
  const float *skip = D.data_ptr<float>(), *zz = z.data_ptr<float>();
  const float* bias = delta_bias.data_ptr<float>();
  float *hh = h.data_ptr<float>(), *yy = y.data_ptr<float>(), *oo = out.data_ptr<float>();
  std::vector<float> dl(d.W), du(d.W);
  for (int64_t t = 0; t < d.L; ++t) {
    for (int64_t j = 0; j < sizes[t]; ++j) {
      const int64_t s = offs[t] + j, sp = t > 0 ? offs[t - 1] + j : -1;
      for (int64_t g = 0; g < d.G; ++g) {
        const int64_t row = s * d.D + g * d.W;
        const float* us = uu + row;
        float* ys = yy + row;
        step_sizes(raw + row, bias + g * d.W, softplus, dl.data(), d.W);
#pragma GCC ivdep
        for (int64_t w = 0; w < d.W; ++w) {
          du[w] = dl[w] * us[w];
          ys[w] = 0.0f;
        }
        for (int64_t n = 0; n < d.N; ++n) {
          const float bn = bb[(s * d.G + g) * d.N + n], cn = cc[(s * d.G + g) * d.N + n];
          float* hs = hh + ((s * d.G + g) * d.N + n) * d.W;
          if (sp >= 0) {
            const float* hp = hh + ((sp * d.G + g) * d.N + n) * d.W;
            const float* ar = a2.data() + (g * d.N + n) * d.W;
            // distinct buffers, no aliasing: without this GCC gives up vectorising
#pragma GCC ivdep
            for (int64_t w = 0; w < d.W; ++w) {
              const float hv = exp2_fast(dl[w] * ar[w]) * hp[w] + bn * du[w];
              hs[w] = hv;
              ys[w] += cn * hv;
            }
          } else {
#pragma GCC ivdep
            for (int64_t w = 0; w < d.W; ++w) {
              const float hv = bn * du[w];
              hs[w] = hv;
              ys[w] += cn * hv;
            }
          }
        }
        const float* zs = zz + row;
        const float* ds = skip + g * d.W;
        float* os = oo + row;
        if (gate) {
#pragma GCC ivdep
          for (int64_t w = 0; w < d.W; ++w)
            os[w] = (ys[w] + ds[w] * us[w]) * zs[w] * sigmoid_fast(zs[w]);
        } else {
#pragma GCC ivdep
          for (int64_t w = 0; w < d.W; ++w) os[w] = ys[w] + ds[w] * us[w];
        }
      }
    }
  }
  return {out, y, h};
}

std::vector<at::Tensor> packed_scan_backward(at::Tensor grad_out, at::Tensor delta,
                                             at::Tensor u, at::Tensor A, at::Tensor B,
                                             at::Tensor C, at::Tensor D, at::Tensor z,
                                             at::Tensor delta_bias, bool softplus, bool gate,
                                             at::Tensor y, at::Tensor h,
                                             at::Tensor batch_sizes, at::Tensor offsets) {
  for (auto* p : {&grad_out, &delta, &u, &A, &B, &C, &D, &z, &delta_bias, &y, &h})
    check(*p, "scan tensor");
  const Dims d = dims_of(delta, B, batch_sizes);
  const int64_t* sizes = batch_sizes.data_ptr<int64_t>();
  const int64_t* offs = offsets.data_ptr<int64_t>();
  const std::vector<float> a = rates(A, d, 1.0f), a2 = rates(A, d, kLog2E);
  auto grad_delta = at::empty_like(delta), grad_u = at::empty_like(u);
  auto grad_B = at::empty_like(B), grad_C = at::empty_like(C), grad_z = at::empty_like(z);
  std::vector<float> grad_a(d.G * d.N * d.W, 0.0f), grad_skip(d.D, 0.0f), grad_bias(d.D, 0.0f);
  const int64_t lanes = d.L > 0 ? sizes[0] : 0;
  // carry[j] = decay_{t+1} * g_{t+1} of lane j: the adjoint flowing into step t. Lanes
  // that stop before step t + 1 never write theirs, so it stays zero.
  std::vector<float> carry(lanes * d.G * d.N * d.W, 0.0f);
  const float *go = grad_out.data_ptr<float>(), *raw = delta.data_ptr<float>();
  const float *uu = u.data_ptr<float>(), *bb = B.data_ptr<float>(), *cc = C.data_ptr<float>();
  const float *skip = D.data_ptr<float>(), *zz = z.data_ptr<float>();
  const float *bias = delta_bias.data_ptr<float>(), *yy = y.data_ptr<float>();
  const float* hh = h.data_ptr<float>();
  float *gdl = grad_delta.data_ptr<float>(), *gu = grad_u.data_ptr<float>();
  float *gb = grad_B.data_ptr<float>(), *gc = grad_C.data_ptr<float>();
  float* gz = grad_z.data_ptr<float>();
  std::vector<float> dl(d.W), du(d.W), gy(d.W), gdu(d.W), gdec(d.W);
  for (int64_t t = d.L - 1; t >= 0; --t) {
    for (int64_t j = 0; j < sizes[t]; ++j) {
      const int64_t s = offs[t] + j, sp = t > 0 ? offs[t - 1] + j : -1;
      for (int64_t g = 0; g < d.G; ++g) {
        const int64_t row = s * d.D + g * d.W;
        const float *us = uu + row, *zs = zz + row, *gos = go + row, *ys = yy + row;
        const float* ds = skip + g * d.W;
        float *gsk = grad_skip.data() + g * d.W, *gzs = gz + row;
        step_sizes(raw + row, bias + g * d.W, softplus, dl.data(), d.W);
        if (gate) {  // through the gate and skip: out = (y + D u) * z * sigmoid(z)
#pragma GCC ivdep
          for (int64_t w = 0; w < d.W; ++w) {
            const float sig = sigmoid_fast(zs[w]);
            gy[w] = gos[w] * zs[w] * sig;
            gzs[w] = gos[w] * (ys[w] + ds[w] * us[w]) * sig * (1.0f + zs[w] * (1.0f - sig));
          }
        } else {
          for (int64_t w = 0; w < d.W; ++w) gy[w] = gos[w];
        }
#pragma GCC ivdep
        for (int64_t w = 0; w < d.W; ++w) {
          gsk[w] += gy[w] * us[w];
          du[w] = dl[w] * us[w];
          gdu[w] = 0.0f;
          gdec[w] = 0.0f;
        }
        for (int64_t n = 0; n < d.N; ++n) {
          const int64_t bn_at = (s * d.G + g) * d.N + n;
          const float bn = bb[bn_at], cn = cc[bn_at];
          const float* hs = hh + bn_at * d.W;
          float* cr = carry.data() + ((j * d.G + g) * d.N + n) * d.W;
          float sum_b = 0.0f, sum_c = 0.0f;
          if (sp >= 0) {
            const float* hp = hh + ((sp * d.G + g) * d.N + n) * d.W;
            const float* ar = a.data() + (g * d.N + n) * d.W;
            const float* ar2 = a2.data() + (g * d.N + n) * d.W;
            float* ga = grad_a.data() + (g * d.N + n) * d.W;
#pragma GCC ivdep
            for (int64_t w = 0; w < d.W; ++w) {
              const float g_w = cn * gy[w] + cr[w];  // adjoint of h at this step
              gdu[w] += bn * g_w;
              sum_b += g_w * du[w];
              sum_c += hs[w] * gy[w];
              const float dec = exp2_fast(dl[w] * ar2[w]);
              const float wgt = g_w * dec * hp[w];  // d loss / d log-decay
              gdec[w] += wgt * ar[w];
              ga[w] += wgt * dl[w];
              cr[w] = dec * g_w;  // flows into step t - 1
            }
          } else {
#pragma GCC ivdep
            for (int64_t w = 0; w < d.W; ++w) {
              const float g_w = cn * gy[w] + cr[w];
              gdu[w] += bn * g_w;
              sum_b += g_w * du[w];
              sum_c += hs[w] * gy[w];
            }
          }
          gb[bn_at] = sum_b;
          gc[bn_at] = sum_c;
        }
        const float* raws = raw + row;
        const float* bs = bias + g * d.W;
        float *gdls = gdl + row, *gus = gu + row, *gbs = grad_bias.data() + g * d.W;
#pragma GCC ivdep
        for (int64_t w = 0; w < d.W; ++w) {
          gdls[w] = gdec[w] + gdu[w] * us[w];
          gus[w] = gdu[w] * dl[w] + gy[w] * ds[w];
        }
        if (softplus) {  // d softplus(x) / dx = sigmoid(x)
#pragma GCC ivdep
          for (int64_t w = 0; w < d.W; ++w) gdls[w] *= sigmoid_fast(raws[w] + bs[w]);
        }
#pragma GCC ivdep
        for (int64_t w = 0; w < d.W; ++w) gbs[w] += gdls[w];
      }
    }
  }
  auto grad_A = at::empty_like(A);
  float* gA = grad_A.data_ptr<float>();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t w = 0; w < d.W; ++w)
        gA[(g * d.W + w) * d.N + n] = grad_a[(g * d.N + n) * d.W + w];
  auto grad_D = at::from_blob(grad_skip.data(), {d.D}, delta.options()).clone();
  auto grad_bias_t = at::from_blob(grad_bias.data(), {d.D}, delta.options()).clone();
  return {grad_delta, grad_u, grad_A, grad_B, grad_C, grad_D, grad_z, grad_bias_t};
}

// Conv weights [G, C, K] -> [G, K, C], so the inner loops run over contiguous channels
std::vector<float> taps_by_step(const float* weight, int64_t G, int64_t C, int64_t K) {
  std::vector<float> taps(G * K * C);
  for (int64_t g = 0; g < G; ++g)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t k = 0; k < K; ++k) taps[(g * K + k) * C + c] = weight[(g * C + c) * K + k];
  return taps;
}

// Causal depthwise convolution along each lane of a PackedSequences, then SiLU, for G
// independent stacks (the directions of a bidirectional Mamba): x, out [G, T, C],
// weight [G, C, K] (tap K-1 is the current step, tap K-1-k the step k back), bias [G, C].
// Returns silu(pre) and pre (kept for the backward).
std::vector<at::Tensor> packed_conv_forward(at::Tensor x, at::Tensor weight, at::Tensor bias,
                                            at::Tensor batch_sizes, at::Tensor offsets) {
  for (auto* p : {&x, &weight, &bias}) check(*p, "conv input");
  const int64_t G = x.size(0), T = x.size(1), C = x.size(2), K = weight.size(2);
  TORCH_CHECK(weight.size(0) == G && weight.size(1) == C && bias.size(0) == G &&
              bias.size(1) == C, "weight must be [stacks, channels, taps], bias [stacks, channels]");
  const int64_t L = batch_sizes.size(0);
  const int64_t* sizes = batch_sizes.data_ptr<int64_t>();
  const int64_t* offs = offsets.data_ptr<int64_t>();
  auto pre = at::empty_like(x), out = at::empty_like(x);
  const float *xx = x.data_ptr<float>(), *ww = weight.data_ptr<float>(), *bb = bias.data_ptr<float>();
  float *pp = pre.data_ptr<float>(), *oo = out.data_ptr<float>();
  const std::vector<float> taps = taps_by_step(ww, G, C, K);
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t t = 0; t < L; ++t) {
      for (int64_t j = 0; j < sizes[t]; ++j) {
        const int64_t s = offs[t] + j;
        float* ps = pp + (g * T + s) * C;
        const float* cur = taps.data() + (g * K + K - 1) * C;
        const float* xs = xx + (g * T + s) * C;
#pragma GCC ivdep
        for (int64_t c = 0; c < C; ++c) ps[c] = bb[g * C + c] + cur[c] * xs[c];
        for (int64_t k = 1; k < K && k <= t; ++k) {
          const float* tap = taps.data() + (g * K + K - 1 - k) * C;
          const float* xk = xx + (g * T + offs[t - k] + j) * C;
#pragma GCC ivdep
          for (int64_t c = 0; c < C; ++c) ps[c] += tap[c] * xk[c];
        }
        float* os = oo + (g * T + s) * C;
#pragma GCC ivdep
        for (int64_t c = 0; c < C; ++c) os[c] = ps[c] * sigmoid_fast(ps[c]);
      }
    }
  }
  return {out, pre};
}

std::vector<at::Tensor> packed_conv_backward(at::Tensor grad_out, at::Tensor x,
                                             at::Tensor weight, at::Tensor pre,
                                             at::Tensor batch_sizes, at::Tensor offsets) {
  for (auto* p : {&grad_out, &x, &weight, &pre}) check(*p, "conv tensor");
  const int64_t G = x.size(0), T = x.size(1), C = x.size(2), K = weight.size(2);
  const int64_t L = batch_sizes.size(0);
  const int64_t* sizes = batch_sizes.data_ptr<int64_t>();
  const int64_t* offs = offsets.data_ptr<int64_t>();
  const float *go = grad_out.data_ptr<float>(), *xx = x.data_ptr<float>();
  const float *ww = weight.data_ptr<float>(), *pp = pre.data_ptr<float>();
  auto grad_pre = at::empty_like(x);
  auto grad_x = at::empty_like(x);
  float *gp = grad_pre.data_ptr<float>(), *gx = grad_x.data_ptr<float>();
  const std::vector<float> taps = taps_by_step(ww, G, C, K);
  std::vector<float> grad_taps(G * K * C, 0.0f), grad_bias(G * C, 0.0f);
  const int64_t n = G * T * C;
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) {  // through SiLU: d/dp p sigmoid(p)
    const float sig = sigmoid_fast(pp[i]);
    gp[i] = go[i] * sig * (1.0f + pp[i] * (1.0f - sig));
  }
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t t = 0; t < L; ++t) {
      for (int64_t j = 0; j < sizes[t]; ++j) {
        const int64_t s = offs[t] + j;
        const float* xs = xx + (g * T + s) * C;
        float* gxs = gx + (g * T + s) * C;
        const float* gps = gp + (g * T + s) * C;
        const float* cur = taps.data() + (g * K + K - 1) * C;
        float* gcur = grad_taps.data() + (g * K + K - 1) * C;
        float* gb = grad_bias.data() + g * C;
#pragma GCC ivdep
        for (int64_t c = 0; c < C; ++c) {
          gxs[c] = cur[c] * gps[c];
          gcur[c] += gps[c] * xs[c];
          gb[c] += gps[c];
        }
        // x at step t feeds the outputs k steps later in the same lane
        for (int64_t k = 1; k < K && t + k < L && j < sizes[t + k]; ++k) {
          const float* tap = taps.data() + (g * K + K - 1 - k) * C;
          float* gtap = grad_taps.data() + (g * K + K - 1 - k) * C;
          const float* gpk = gp + (g * T + offs[t + k] + j) * C;
#pragma GCC ivdep
          for (int64_t c = 0; c < C; ++c) {
            gxs[c] += tap[c] * gpk[c];
            gtap[c] += gpk[c] * xs[c];
          }
        }
      }
    }
  }
  auto grad_weight = at::empty_like(weight);
  float* gw = grad_weight.data_ptr<float>();
  for (int64_t g = 0; g < G; ++g)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t k = 0; k < K; ++k) gw[(g * C + c) * K + k] = grad_taps[(g * K + k) * C + c];
  auto grad_bias_t = at::from_blob(grad_bias.data(), {G, C}, x.options()).clone();
  return {grad_x, grad_weight, grad_bias_t};
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &packed_scan_forward, "packed selective scan, forward");
  m.def("backward", &packed_scan_backward, "packed selective scan, backward");
  m.def("conv_forward", &packed_conv_forward, "packed causal depthwise conv + SiLU, forward");
  m.def("conv_backward", &packed_conv_backward, "packed causal depthwise conv + SiLU, backward");
}
