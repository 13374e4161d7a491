// Forward/backward kernels of train_ops.h. Reductions over a row run in double so the f32
// gradients stay within 1e-4 of a float64 reference; products are OpenBLAS sgemm.
#include "train/train_ops.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/numeric.h"
#include "kernels/matmul.h"

namespace seek {

void linear_forward(const float* x, const float* W, float* y, int64_t N, int64_t in, int64_t out, ThreadPool* pool) {
  if (N == 0) return;
  sgemm(pool, false, true, N, out, in, 1.0f, x, in, W, in, 0.0f, y, out);
}

void linear_backward(const float* dy, const float* x, const float* W, float* dx, float* dW, int64_t N, int64_t in,
                     int64_t out, ThreadPool* pool) {
  if (N == 0) return;
  if (dx) sgemm(pool, false, false, N, in, out, 1.0f, dy, out, W, in, 1.0f, dx, in);
  sgemm(pool, true, false, out, in, N, 1.0f, dy, out, x, in, 1.0f, dW, in);
}

void rmsnorm_forward(const float* x, const float* w, float* y, float* rstd, int64_t N, int64_t D, float eps,
                     ThreadPool& pool) {
  pool.parallel_for(N, 16, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      const float* xr = x + n * D;
      double ss = 0;
      for (int64_t i = 0; i < D; ++i) ss += double(xr[i]) * xr[i];
      const float r = static_cast<float>(1.0 / std::sqrt(ss / double(D) + eps));
      rstd[n] = r;
      float* yr = y + n * D;
      for (int64_t i = 0; i < D; ++i) yr[i] = xr[i] * r * w[i];
    }
  });
}

void rmsnorm_backward(const float* dy, const float* x, const float* w, const float* rstd, float* dx, float* dw,
                      int64_t N, int64_t D, ThreadPool& pool) {
  // y_i = x_i r w_i, r = (mean x^2 + eps)^-1/2: dx_i = r w_i dy_i - x_i r^3 / D * sum_j dy_j w_j x_j
  pool.parallel_for(N, 16, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      const float* xr = x + n * D;
      const float* g = dy + n * D;
      const double r = rstd[n];
      double s = 0;
      for (int64_t i = 0; i < D; ++i) s += double(g[i]) * w[i] * xr[i];
      const double c = s * r * r * r / double(D);
      float* d = dx + n * D;
      for (int64_t i = 0; i < D; ++i) d[i] += static_cast<float>(r * g[i] * w[i] - c * xr[i]);
    }
  });
  // dw reduction over rows: split columns across threads so no two threads share an element
  pool.parallel_for(D, 64, [&](int64_t b, int64_t e) {
    for (int64_t n = 0; n < N; ++n) {
      const float* xr = x + n * D;
      const float* g = dy + n * D;
      const float r = rstd[n];
      for (int64_t i = b; i < e; ++i) dw[i] += g[i] * xr[i] * r;
    }
  });
}

void embedding_forward(const int32_t* tokens, const float* table, float* out, int64_t N, int64_t D) {
  for (int64_t n = 0; n < N; ++n) std::memcpy(out + n * D, table + int64_t(tokens[n]) * D, sizeof(float) * D);
}

void embedding_backward(const int32_t* tokens, const float* dout, float* dtable, int64_t N, int64_t D) {
  for (int64_t n = 0; n < N; ++n) {
    float* row = dtable + int64_t(tokens[n]) * D;
    const float* g = dout + n * D;
    for (int64_t i = 0; i < D; ++i) row[i] += g[i];
  }
}

namespace {

// fn(begin, end) over [0, n) in chunks on the pool's threads, or in one call on this thread
void elementwise(int64_t n, ThreadPool* pool, const std::function<void(int64_t, int64_t)>& fn) {
  if (pool) {
    pool->parallel_for(n, 4096, fn);
  } else {
    fn(0, n);
  }
}

}  // namespace

void swiglu_forward(const float* g, const float* u, float* a, int64_t n, ThreadPool* pool) {
  elementwise(n, pool, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) a[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
  });
}

void swiglu_backward(const float* da, const float* g, const float* u, float* dg, float* du, int64_t n,
                     ThreadPool* pool) {
  // silu(g) = g s(g), silu'(g) = s(g) (1 + g (1 - s(g)))
  elementwise(n, pool, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float s = 1.0f / (1.0f + std::exp(-g[i]));
      du[i] += da[i] * g[i] * s;
      dg[i] += da[i] * u[i] * s * (1.0f + g[i] * (1.0f - s));
    }
  });
}

void rope_forward(const Rope& rope, float* x, int64_t B, int64_t T, int64_t row_stride, int64_t n_heads,
                  int64_t head_stride, ThreadPool& pool) {
  pool.parallel_for(B * T, 32, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) rope.apply(x + n * row_stride, n_heads, head_stride, n % T);
  });
}

void rope_backward(const Rope& rope, float* dx, int64_t B, int64_t T, int64_t row_stride, int64_t n_heads,
                   int64_t head_stride, ThreadPool& pool) {
  pool.parallel_for(B * T, 32, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) rope.apply_transpose(dx + n * row_stride, n_heads, head_stride, n % T);
  });
}

namespace {

// kt[i, s] = x[(b*T + s)*H + h][i] for s < T: one head's keys (or values) of one sequence,
// transposed so that the dot products of a query with keys 0..t become axpy loops over s,
// which the compiler vectorizes (a dot product's float sum would be one long dependency chain).
void gather_transposed(const float* x, float* kt, int64_t b, int64_t h, int64_t T, int64_t H, int64_t d) {
  for (int64_t s = 0; s < T; ++s) {
    const float* xs = x + ((b * T + s) * H + h) * d;
    for (int64_t i = 0; i < d; ++i) kt[i * T + s] = xs[i];
  }
}

// out[s] = sum_i a[i] * xt[i, s] for s <= t (xt as gather_transposed writes it)
void dots_transposed(const float* a, const float* xt, float* out, int64_t t, int64_t T, int64_t d) {
  std::fill(out, out + t + 1, 0.0f);
  for (int64_t i = 0; i < d; ++i) {
    const float ai = a[i];
    const float* row = xt + i * T;
    for (int64_t s = 0; s <= t; ++s) out[s] += ai * row[s];
  }
}

}  // namespace

// One task per (sequence, head) on the pool, each on its own thread: the products are
// single-threaded sgemm calls on strided views (row t of head h of sequence b starts at
// ((b*T + t)*H + h)*d, so lda = H*d), with the softmax (or dS) of that head's T x T block in
// between while it is in cache. The full score block is computed and the causal upper triangle
// masked (P = 0 there), which doubles the product FLOPs but runs at BLAS speed.
void attention_forward(const float* q, const float* k, const float* v, float* o, float* probs, int64_t B, int64_t T,
                       int64_t H, int64_t dk, int64_t dv, float scale, ThreadPool& pool) {
  pool.parallel_for(B * H, 1, [&](int64_t begin, int64_t end) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t row0 = bh / H * T * H + bh % H;  // (b*T + 0)*H + h
      float* pb = probs + bh * T * T;
      sgemm(nullptr, false, true, T, T, dk, scale, q + row0 * dk, H * dk, k + row0 * dk, H * dk, 0.0f, pb, T);
      for (int64_t t = 0; t < T; ++t) {  // causal softmax of row t over keys 0..t
        float* p = pb + t * T;
        softmax_inplace(p, t + 1);
        std::fill(p + t + 1, p + T, 0.0f);
      }
      sgemm(nullptr, false, false, T, dv, T, 1.0f, pb, T, v + row0 * dv, H * dv, 0.0f, o + row0 * dv, H * dv);
    }
  });
}

void attention_backward(const float* d_o, const float* q, const float* k, const float* v, const float* probs, float* dq,
                        float* dk, float* dv, int64_t B, int64_t T, int64_t H, int64_t dkh, int64_t dvh, float scale,
                        ThreadPool& pool) {
  // one scratch block per thread (not per head): heads are taken one at a time from a counter
  std::atomic<int64_t> next{0};
  pool.run_dynamic([&](int, int) {
    std::vector<float> ds(T * T);  // this head's dP, then dS in place
    for (int64_t bh; (bh = next.fetch_add(1, std::memory_order_relaxed)) < B * H;) {
      const int64_t row0 = bh / H * T * H + bh % H, ak = row0 * dkh, av = row0 * dvh;
      const float* pb = probs + bh * T * T;
      sgemm(nullptr, false, true, T, T, dvh, 1.0f, d_o + av, H * dvh, v + av, H * dvh, 0.0f, ds.data(),
            T);  // dP = dO V^T
      // dS_s = scale * P_s (dP_s - sum_j P_j dP_j); zero above the diagonal (P_s = 0 there)
      for (int64_t t = 0; t < T; ++t) {
        const float* p = pb + t * T;
        float* d = ds.data() + t * T;
        double dot = 0;
        for (int64_t s = 0; s <= t; ++s) dot += double(p[s]) * d[s];
        const float c = static_cast<float>(dot);
        for (int64_t s = 0; s <= t; ++s) d[s] = p[s] * (d[s] - c) * scale;
        std::fill(d + t + 1, d + T, 0.0f);
      }
      sgemm(nullptr, false, false, T, dkh, T, 1.0f, ds.data(), T, k + ak, H * dkh, 1.0f, dq + ak,
            H * dkh);  // dQ += dS K
      sgemm(nullptr, true, false, T, dkh, T, 1.0f, ds.data(), T, q + ak, H * dkh, 1.0f, dk + ak,
            H * dkh);                                                                                  // dK += dS^T Q
      sgemm(nullptr, true, false, T, dvh, T, 1.0f, pb, T, d_o + av, H * dvh, 1.0f, dv + av, H * dvh);  // dV += P^T dO
    }
  });
}

// The obvious loops (references for the sgemm path above; tests compare the two).
void attention_forward_ref(const float* q, const float* k, const float* v, float* o, float* probs, int64_t B, int64_t T,
                           int64_t H, int64_t dk, int64_t dv, float scale, ThreadPool& pool) {
  pool.parallel_for(B * H, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> kt(dk * T);  // [dk, T] this head's keys
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / H, h = bh % H;
      gather_transposed(k, kt.data(), b, h, T, H, dk);
      for (int64_t t = 0; t < T; ++t) {
        const float* qt = q + ((b * T + t) * H + h) * dk;
        float* p = probs + (bh * T + t) * T;
        dots_transposed(qt, kt.data(), p, t, T, dk);
        for (int64_t s = 0; s <= t; ++s) p[s] *= scale;
        softmax_inplace(p, t + 1);
        for (int64_t s = t + 1; s < T; ++s) p[s] = 0;
        float* ot = o + ((b * T + t) * H + h) * dv;
        std::fill(ot, ot + dv, 0.0f);
        for (int64_t s = 0; s <= t; ++s) {
          const float* vs = v + ((b * T + s) * H + h) * dv;
          const float ps = p[s];
          for (int64_t i = 0; i < dv; ++i) ot[i] += ps * vs[i];
        }
      }
    }
  });
}

void attention_backward_ref(const float* d_o, const float* q, const float* k, const float* v, const float* probs,
                            float* dq, float* dk, float* dv, int64_t B, int64_t T, int64_t H, int64_t dkh, int64_t dvh,
                            float scale, ThreadPool& pool) {
  pool.parallel_for(B * H, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> ds(T), vt(dvh * T);  // [T], [dv, T] this head's values
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / H, h = bh % H;
      auto row = [&](int64_t t, int64_t width) { return ((b * T + t) * H + h) * width; };
      gather_transposed(v, vt.data(), b, h, T, H, dvh);
      for (int64_t t = 0; t < T; ++t) {
        const float* p = probs + (bh * T + t) * T;
        const float* go = d_o + row(t, dvh);
        // dP_s = do_t . v_s; dS_s = P_s (dP_s - sum_j P_j dP_j)
        dots_transposed(go, vt.data(), ds.data(), t, T, dvh);
        double dot_pd = 0;
        for (int64_t s = 0; s <= t; ++s) {
          dot_pd += double(p[s]) * ds[s];
          const float ps = p[s];
          float* gv = dv + row(s, dvh);
          for (int64_t i = 0; i < dvh; ++i) gv[i] += ps * go[i];
        }
        const float* qt = q + row(t, dkh);
        float* gq = dq + row(t, dkh);
        for (int64_t s = 0; s <= t; ++s) {
          const float g = p[s] * (ds[s] - static_cast<float>(dot_pd)) * scale;
          if (g == 0.0f) continue;
          const float* ks = k + row(s, dkh);
          float* gk = dk + row(s, dkh);
          for (int64_t i = 0; i < dkh; ++i) gq[i] += g * ks[i];
          for (int64_t i = 0; i < dkh; ++i) gk[i] += g * qt[i];
        }
      }
    }
  });
}

}  // namespace seek
