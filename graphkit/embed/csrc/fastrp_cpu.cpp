// CPU kernels of FastRP's propagation (graphkit.embed.fast_rp): sparse (CSR) times dense
// products and the row-normalised, weighted sum of their results.
//
// Dense [n, d] blocks are stored panel-major, [d / W, n, W] with W values = 64 bytes
// (16 float32 or 8 float64): a stored entry of the sparse matrix then gathers one cache
// line of a panel that fits in L2 (n * 64 B, 660 KB on BlogCatalog), and the output
// row's W values stay in vector registers. scipy's csr @ dense gathers whole 2 KB rows
// of a 21 MB block at d = 512 and waits on memory. Rows are split over torch's
// intra-op threads. float32 and float64, int32 and int64 indices.

#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace {

constexpr int64_t kRowGrain = 256;

template <typename T>
constexpr int64_t panel_width() {
  return 64 / static_cast<int64_t>(sizeof(T));
}

// out[p] = A @ x[p] for every panel p; x, out: [panels, n, W].
template <typename T, typename I>
void csr_dense_impl(const at::Tensor& indptr, const at::Tensor& indices, const at::Tensor& data,
                    const at::Tensor& x, at::Tensor& out) {
  constexpr int64_t W = panel_width<T>();
  const I* __restrict p = indptr.data_ptr<I>();
  const I* __restrict idx = indices.data_ptr<I>();
  const T* __restrict v = data.data_ptr<T>();
  const int64_t panels = out.size(0), rows = out.size(1), x_rows = x.size(1);
  for (int64_t panel = 0; panel < panels; ++panel) {
    const T* __restrict xp = x.data_ptr<T>() + panel * x_rows * W;
    T* __restrict op = out.data_ptr<T>() + panel * rows * W;
    at::parallel_for(0, rows, kRowGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        // Four accumulators: one would chain every FMA on the previous one, so each
        // gathered line would wait for the last; four keep several loads in flight.
        T a0[W], a1[W], a2[W], a3[W];
        for (int64_t j = 0; j < W; ++j) a0[j] = a1[j] = a2[j] = a3[j] = T(0);
        I k = p[i];
        const I stop = p[i + 1];
        for (; k + 4 <= stop; k += 4) {
          const T* __restrict x0 = xp + static_cast<int64_t>(idx[k]) * W;
          const T* __restrict x1 = xp + static_cast<int64_t>(idx[k + 1]) * W;
          const T* __restrict x2 = xp + static_cast<int64_t>(idx[k + 2]) * W;
          const T* __restrict x3 = xp + static_cast<int64_t>(idx[k + 3]) * W;
          const T v0 = v[k], v1 = v[k + 1], v2 = v[k + 2], v3 = v[k + 3];
          for (int64_t j = 0; j < W; ++j) {
            a0[j] += v0 * x0[j];
            a1[j] += v1 * x1[j];
            a2[j] += v2 * x2[j];
            a3[j] += v3 * x3[j];
          }
        }
        for (; k < stop; ++k) {
          const T* __restrict x0 = xp + static_cast<int64_t>(idx[k]) * W;
          const T v0 = v[k];
          for (int64_t j = 0; j < W; ++j) a0[j] += v0 * x0[j];
        }
        T* __restrict o = op + i * W;
        for (int64_t j = 0; j < W; ++j) o[j] = (a0[j] + a1[j]) + (a2[j] + a3[j]);
      }
    });
  }
}

// out = A @ B (B in CSR with few entries per row: FastRP's very sparse projection),
// scattered straight into the panel-major dense out [panels, n, W].
template <typename T, typename I>
void csr_csr_dense_impl(const at::Tensor& a_indptr, const at::Tensor& a_indices, const at::Tensor& a_data,
                        const at::Tensor& b_indptr, const at::Tensor& b_indices, const at::Tensor& b_data,
                        at::Tensor& out) {
  constexpr int64_t W = panel_width<T>();
  const I* ap = a_indptr.data_ptr<I>();
  const I* ai = a_indices.data_ptr<I>();
  const T* av = a_data.data_ptr<T>();
  const I* bp = b_indptr.data_ptr<I>();
  const I* bi = b_indices.data_ptr<I>();
  const T* bv = b_data.data_ptr<T>();
  T* o = out.data_ptr<T>();
  const int64_t panels = out.size(0), rows = out.size(1);
  at::parallel_for(0, rows, kRowGrain, [&](int64_t begin, int64_t end) {
    // the output row is summed in a contiguous buffer (L1) and then copied to its panels
    std::vector<T> row(panels * W);
    for (int64_t i = begin; i < end; ++i) {
      std::fill(row.begin(), row.end(), T(0));
      for (I k = ap[i]; k < ap[i + 1]; ++k) {
        const T a = av[k];
        const I j = ai[k];
        for (I t = bp[j]; t < bp[j + 1]; ++t) row[bi[t]] += a * bv[t];
      }
      for (int64_t panel = 0; panel < panels; ++panel) {
        std::copy(row.begin() + panel * W, row.begin() + (panel + 1) * W, o + (panel * rows + i) * W);
      }
    }
  });
}

// total += alpha * block / ||block row|| (rows of norm 0 add nothing), or alpha * block
// when !l2; both panel-major. Norms first (one read), then one fused scale-and-add pass.
template <typename T>
void add_scaled_rows_impl(const at::Tensor& block, at::Tensor& total, double alpha, bool l2) {
  constexpr int64_t W = panel_width<T>();
  const T* b = block.data_ptr<T>();
  T* t = total.data_ptr<T>();
  const int64_t panels = block.size(0), rows = block.size(1);
  std::vector<T> factor(rows, static_cast<T>(alpha));
  at::parallel_for(0, rows, kRowGrain, [&](int64_t begin, int64_t end) {
    if (l2) {
      std::vector<double> sq(end - begin, 0.0);
      for (int64_t panel = 0; panel < panels; ++panel) {
        const T* bp = b + (panel * rows + begin) * W;
        for (int64_t i = 0; i < end - begin; ++i) {
          T s = T(0);
          for (int64_t j = 0; j < W; ++j) s += bp[i * W + j] * bp[i * W + j];
          sq[i] += static_cast<double>(s);
        }
      }
      for (int64_t i = begin; i < end; ++i) {
        factor[i] = sq[i - begin] > 0.0 ? static_cast<T>(alpha / std::sqrt(sq[i - begin])) : T(0);
      }
    }
    for (int64_t panel = 0; panel < panels; ++panel) {
      const T* __restrict bp = b + panel * rows * W;
      T* __restrict tp = t + panel * rows * W;
      for (int64_t i = begin; i < end; ++i) {
        const T f = factor[i];
        for (int64_t j = 0; j < W; ++j) tp[i * W + j] += f * bp[i * W + j];
      }
    }
  });
}

void check_panels(const at::Tensor& t, const at::Tensor& like, const char* name) {
  TORCH_CHECK(t.dim() == 3 && t.is_contiguous() && t.device().is_cpu(), name,
              " must be a contiguous [panels, n, W] CPU tensor");
  TORCH_CHECK(t.scalar_type() == like.scalar_type(), name, " has the wrong dtype");
  TORCH_CHECK(t.size(2) * static_cast<int64_t>(t.element_size()) == 64, name, " panels must be 64 bytes wide");
}

void check_csr(const at::Tensor& indptr, const at::Tensor& indices, const at::Tensor& data) {
  TORCH_CHECK(indptr.is_contiguous() && indices.is_contiguous() && data.is_contiguous(), "CSR arrays must be contiguous");
  TORCH_CHECK(indices.scalar_type() == indptr.scalar_type(), "indices and indptr must share a dtype");
  TORCH_CHECK(indptr.scalar_type() == at::kInt || indptr.scalar_type() == at::kLong, "indices must be int32 or int64");
}

}  // namespace

void csr_dense(const at::Tensor& indptr, const at::Tensor& indices, const at::Tensor& data, const at::Tensor& x,
               at::Tensor& out) {
  check_csr(indptr, indices, data);
  check_panels(x, data, "x");
  check_panels(out, data, "out");
  TORCH_CHECK(indptr.size(0) == out.size(1) + 1 && x.size(0) == out.size(0), "shape mismatch");
  AT_DISPATCH_FLOATING_TYPES(data.scalar_type(), "csr_dense", [&] {
    if (indptr.scalar_type() == at::kInt) {
      csr_dense_impl<scalar_t, int32_t>(indptr, indices, data, x, out);
    } else {
      csr_dense_impl<scalar_t, int64_t>(indptr, indices, data, x, out);
    }
  });
}

void csr_csr_dense(const at::Tensor& a_indptr, const at::Tensor& a_indices, const at::Tensor& a_data,
                   const at::Tensor& b_indptr, const at::Tensor& b_indices, const at::Tensor& b_data,
                   at::Tensor& out) {
  check_csr(a_indptr, a_indices, a_data);
  check_csr(b_indptr, b_indices, b_data);
  check_panels(out, a_data, "out");
  TORCH_CHECK(b_data.scalar_type() == a_data.scalar_type() && b_indptr.scalar_type() == a_indptr.scalar_type(),
              "a and b must share dtypes");
  TORCH_CHECK(a_indptr.size(0) == out.size(1) + 1, "shape mismatch");
  AT_DISPATCH_FLOATING_TYPES(a_data.scalar_type(), "csr_csr_dense", [&] {
    if (a_indptr.scalar_type() == at::kInt) {
      csr_csr_dense_impl<scalar_t, int32_t>(a_indptr, a_indices, a_data, b_indptr, b_indices, b_data, out);
    } else {
      csr_csr_dense_impl<scalar_t, int64_t>(a_indptr, a_indices, a_data, b_indptr, b_indices, b_data, out);
    }
  });
}

void add_scaled_rows(const at::Tensor& block, at::Tensor& total, double alpha, bool l2) {
  check_panels(block, total, "block");
  check_panels(total, block, "total");
  TORCH_CHECK(block.sizes() == total.sizes(), "shape mismatch");
  AT_DISPATCH_FLOATING_TYPES(block.scalar_type(), "add_scaled_rows",
                             [&] { add_scaled_rows_impl<scalar_t>(block, total, alpha, l2); });
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("csr_dense", &csr_dense, "out = A @ x per panel; A in CSR, x and out [panels, n, W]");
  m.def("csr_csr_dense", &csr_csr_dense, "out = A @ B into panel-major dense out, A and B in CSR");
  m.def("add_scaled_rows", &add_scaled_rows, "total += alpha * block / row norms (or alpha * block), panel-major");
}
