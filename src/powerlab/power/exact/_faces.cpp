// Lasserre's recursion over a polytope's face lattice, in exact GMP arithmetic.
//
// The same algorithm as lattice._Recursion (see lattice.py for the mathematics: Lasserre 1983,
// faces as vertex sets, canonical free coordinates, projected measure, polygons fanned from
// their vertices), compiled, because the Python version spends ~50 us of interpreter time per
// face and a 10-state MDP has ~10^6 faces.  Two representation changes, neither affecting
// the exact result:
//
//  * A face's parametrisation y_e = c_e + M_e . y_J is kept fraction-free: integer rows
//    R_e = delta * [c_e, M_e] over one positive common denominator delta (content removed
//    after each elimination).  The restricted hyperplane is then delta * (a~, b~), and the
//    height ratio w = (a~ . p + b~) / |a~_m| is unchanged by that positive factor.
//  * A face's subsets (its facets) are bitmasks over the face's own vertex list.
//
// Volumes and moments are GMP rationals (mpq).  Results are returned as "num/den" strings.
// The memo (a Python capsule) maps a face's sorted global vertex numbers to its result, so
// it can be shared by every polytope of a subdivision integrated in one process, as in
// lattice.integrate_lattice.

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <gmp.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// ---------------------------------------------------------------- small RAII wrappers
struct Z {
    mpz_t v;
    Z() { mpz_init(v); }
    Z(const Z& o) { mpz_init_set(v, o.v); }
    Z(Z&& o) noexcept {
        mpz_init(v);
        mpz_swap(v, o.v);
    }
    Z& operator=(const Z& o) {
        mpz_set(v, o.v);
        return *this;
    }
    Z& operator=(Z&& o) noexcept {
        mpz_swap(v, o.v);
        return *this;
    }
    ~Z() { mpz_clear(v); }
};

struct R {
    mpq_t v;
    R() { mpq_init(v); }
    R(const R& o) {
        mpq_init(v);
        mpq_set(v, o.v);
    }
    R& operator=(const R& o) {
        mpq_set(v, o.v);
        return *this;
    }
    ~R() { mpq_clear(v); }
};

struct Result {
    R vol;
    std::vector<R> mom;  // empty when moments were not asked for
};

struct Memo {
    std::unordered_map<std::string, Result> map;
};

const char* const kMemoName = "powerlab.power.exact._faces.Memo";

void memo_destructor(PyObject* capsule) {
    auto* memo = static_cast<Memo*>(PyCapsule_GetPointer(capsule, kMemoName));
    delete memo;
}

struct Abort {
    int kind;  // 1: time limit, 2: face limit, 3: Python error set (a signal)
};

// A face's parametrisation: eliminated coordinates E, integer rows [|E| x (d+1)] over delta.

// A wall-clock limit read from Python's ``seconds`` (None: unlimited).
struct Deadline {
    bool timed = false;
    std::chrono::steady_clock::time_point at;

    // false with a Python error set when ``seconds`` is not a number
    bool read(PyObject* seconds) {
        if (seconds == Py_None) return true;
        double s = PyFloat_AsDouble(seconds);
        if (s == -1.0 && PyErr_Occurred()) return false;
        timed = true;
        at = std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                 std::chrono::duration<double>(s));
        return true;
    }
    bool passed() const { return timed && std::chrono::steady_clock::now() > at; }
};
struct Param {
    std::vector<int> E;
    std::vector<Z> rows;
    Z delta;
};

// ---------------------------------------------------------------- the recursion
class Recursion {
   public:
    int n = 0, V = 0, H = 0, W = 0;
    std::vector<Z> num;           // [V * n] vertex numerators
    std::vector<Z> den;           // [V] vertex denominators (> 0)
    std::vector<R> pt;            // [V * n] vertex coordinates
    std::vector<Z> ha;            // [H * n] hyperplane coefficients
    std::vector<Z> hb;            // [H] hyperplane constants
    std::vector<uint64_t> masks;  // [H * W] vertices on each hyperplane
    std::vector<int32_t> ids;     // [V] global vertex numbers (memo keys)
    bool moments = true;
    Memo* memo = nullptr;
    long long faces = 0;
    long long max_faces = -1;
    Deadline clock;

    bool on(int k, int i) const { return (masks[(size_t)k * W + (i >> 6)] >> (i & 63)) & 1u; }

    std::string key_of(const std::vector<int>& verts) const {
        std::vector<int32_t> g(verts.size());
        for (size_t i = 0; i < verts.size(); ++i) g[i] = ids[verts[i]];
        std::sort(g.begin(), g.end());
        return std::string(reinterpret_cast<const char*>(g.data()), g.size() * sizeof(int32_t));
    }

    void tick() {
        ++faces;
        if (max_faces >= 0 && faces > max_faces) throw Abort{2};
        if ((faces & 255) == 1) {  // the first face, then every 256th
            if (clock.passed()) throw Abort{1};
            if ((faces & 4095) == 0 && PyErr_CheckSignals() != 0) throw Abort{3};
        }
    }

    const Result* face(const std::vector<int>& verts, const std::vector<int>& J, const Param& phi,
                       const std::vector<int>& rel, const std::string& key) {
        auto it = memo->map.find(key);
        if (it != memo->map.end()) return &it->second;
        tick();
        Result res;
        compute(verts, J, phi, rel, res);
        auto ins = memo->map.emplace(key, std::move(res));
        return &ins.first->second;
    }

    void segment(const std::vector<int>& verts, int j, Result& res) {
        const mpq_t& u = pt[(size_t)verts[0] * n + j].v;
        const mpq_t& v = pt[(size_t)verts[1] * n + j].v;
        mpq_sub(res.vol.v, u, v);
        mpq_abs(res.vol.v, res.vol.v);
        if (moments) {
            res.mom.resize(1);
            mpq_add(res.mom[0].v, u, v);
            mpq_mul(res.mom[0].v, res.mom[0].v, res.vol.v);
            mpq_div_2exp(res.mom[0].v, res.mom[0].v, 1);
        }
    }

    void compute(const std::vector<int>& verts, const std::vector<int>& J, const Param& phi,
                 const std::vector<int>& rel, Result& res) {
        const int d = (int)J.size();
        if (d == 1) {
            if (verts.size() < 2) {  // a single point: measure 0
                if (moments) res.mom.assign(1, R());
                return;
            }
            segment(verts, J[0], res);
            return;
        }
        const int g = (int)verts.size();
        const int LW = (g + 63) >> 6;
        // Sub-faces G ∩ H_k for the candidate hyperplanes, as masks over the face's vertices.
        std::vector<uint64_t> sub;  // [count * LW]
        std::vector<uint64_t> hashes;
        std::vector<int> subk, pop;
        std::vector<uint64_t> s(LW);
        for (int k : rel) {
            std::fill(s.begin(), s.end(), 0);
            int cnt = 0;
            for (int i = 0; i < g; ++i) {
                if (on(k, verts[i])) {
                    s[i >> 6] |= uint64_t(1) << (i & 63);
                    ++cnt;
                }
            }
            if (cnt == 0 || cnt == g) continue;
            uint64_t h = 1469598103934665603ull;
            for (int w = 0; w < LW; ++w) h = (h ^ s[w]) * 1099511628211ull;
            bool dup = false;
            for (size_t q = 0; q < subk.size() && !dup; ++q)
                if (hashes[q] == h && std::equal(s.begin(), s.end(), sub.begin() + q * LW))
                    dup = true;
            if (dup) continue;
            sub.insert(sub.end(), s.begin(), s.end());
            hashes.push_back(h);
            subk.push_back(k);
            pop.push_back(cnt);
        }
        // Facets: the inclusion-maximal sub-faces (larger first, stable).
        std::vector<int> order(subk.size());
        for (size_t q = 0; q < order.size(); ++q) order[q] = (int)q;
        std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return pop[x] > pop[y]; });
        std::vector<int> facets;
        for (int q : order) {
            const uint64_t* sq = &sub[(size_t)q * LW];
            bool inside = false;
            for (int o : facets) {
                const uint64_t* so = &sub[(size_t)o * LW];
                bool subset = true;
                for (int w = 0; w < LW; ++w)
                    if ((sq[w] & so[w]) != sq[w]) {
                        subset = false;
                        break;
                    }
                if (subset) {
                    inside = true;
                    break;
                }
            }
            if (!inside) facets.push_back(q);
        }
        // Centre: the vertex on the most facets (lowest index among ties).
        std::vector<int> count(g, 0);
        for (int q : facets) {
            const uint64_t* sq = &sub[(size_t)q * LW];
            for (int i = 0; i < g; ++i)
                if ((sq[i >> 6] >> (i & 63)) & 1u) ++count[i];
        }
        int apex = 0;
        for (int i = 1; i < g; ++i)
            if (count[i] > count[apex]) apex = i;
        const int pv = verts[apex];
        auto in_facet = [&](int q, int i) { return (sub[(size_t)q * LW + (i >> 6)] >> (i & 63)) & 1u; };

        if (d == 2) {
            polygon(verts, J, facets, sub, LW, apex, res);
            return;
        }

        std::vector<int> child_rel;
        child_rel.reserve(facets.size());
        for (int q : facets) child_rel.push_back(subk[q]);

        const int ne = (int)phi.E.size();
        const int rw = d + 1;
        std::vector<Z> at(d);
        Z bt, wnum, tmp;
        R w, acc, ym, t2;
        mpq_set_ui(res.vol.v, 0, 1);
        if (moments) res.mom.assign(d, R());
        std::vector<int> cverts;
        for (int q : facets) {
            if (in_facet(q, apex)) continue;  // the centre is on this facet: h = 0
            const int k = subk[q];
            const Z* a = &ha[(size_t)k * n];
            // delta * (a~, b~): the hyperplane restricted to this face's coordinates.
            for (int t = 0; t < d; ++t) mpz_mul(at[t].v, phi.delta.v, a[J[t]].v);
            mpz_mul(bt.v, phi.delta.v, hb[k].v);
            for (int r = 0; r < ne; ++r) {
                const mpz_t& ae = a[phi.E[r]].v;
                if (mpz_sgn(ae) == 0) continue;
                const Z* row = &phi.rows[(size_t)r * rw];
                mpz_addmul(bt.v, ae, row[0].v);
                for (int t = 0; t < d; ++t) mpz_addmul(at[t].v, ae, row[t + 1].v);
            }
            int m = 0;
            while (m < d && mpz_sgn(at[m].v) == 0) ++m;
            if (m == d) continue;  // cannot happen for a facet; skip defensively
            // w = (a~ . p + b~) / |a~_m|, with p = num / den.
            mpz_mul(wnum.v, bt.v, den[pv].v);
            for (int t = 0; t < d; ++t) mpz_addmul(wnum.v, at[t].v, num[(size_t)pv * n + J[t]].v);
            mpz_mul(tmp.v, den[pv].v, at[m].v);
            mpz_abs(tmp.v, tmp.v);
            mpq_set_num(w.v, wnum.v);
            mpq_set_den(w.v, tmp.v);
            mpq_canonicalize(w.v);

            cverts.clear();
            for (int i = 0; i < g; ++i)
                if (in_facet(q, i)) cverts.push_back(verts[i]);
            std::string ckey = key_of(cverts);
            const Result* hit;
            auto found = memo->map.find(ckey);
            if (found != memo->map.end()) {
                hit = &found->second;
            } else {
                std::vector<int> cJ;
                cJ.reserve(d - 1);
                for (int t = 0; t < d; ++t)
                    if (t != m) cJ.push_back(J[t]);
                Param cp;
                eliminate(phi, J, at, bt, m, cp);
                hit = face(cverts, cJ, cp, child_rel, ckey);
            }
            const Result& cf = *hit;
            if (mpq_sgn(cf.vol.v) == 0) continue;
            mpq_mul(acc.v, w.v, cf.vol.v);
            mpq_add(res.vol.v, res.vol.v, acc.v);
            if (moments && !cf.mom.empty()) {
                // y_m on the facet = -(b~ + sum_{t != m} a~_t y_t) / a~_m (delta cancels).
                mpq_set_z(t2.v, bt.v);
                mpq_mul(ym.v, t2.v, cf.vol.v);
                int i = 0;
                for (int t = 0; t < d; ++t) {
                    if (t == m) continue;
                    mpq_mul(acc.v, w.v, cf.mom[i].v);
                    mpq_add(res.mom[t].v, res.mom[t].v, acc.v);
                    mpq_set_z(t2.v, at[t].v);
                    mpq_mul(acc.v, t2.v, cf.mom[i].v);
                    mpq_add(ym.v, ym.v, acc.v);
                    ++i;
                }
                mpz_neg(tmp.v, at[m].v);
                mpq_set_z(t2.v, tmp.v);
                mpq_div(ym.v, ym.v, t2.v);
                mpq_mul(acc.v, w.v, ym.v);
                mpq_add(res.mom[m].v, res.mom[m].v, acc.v);
            }
        }
        mpq_set_ui(t2.v, (unsigned long)d, 1);
        mpq_div(res.vol.v, res.vol.v, t2.v);
        if (!moments) return;
        mpq_set_ui(t2.v, (unsigned long)(d + 1), 1);
        for (int t = 0; t < d; ++t) {
            mpq_mul(acc.v, pt[(size_t)pv * n + J[t]].v, res.vol.v);
            mpq_add(res.mom[t].v, res.mom[t].v, acc.v);
            mpq_div(res.mom[t].v, res.mom[t].v, t2.v);
        }
    }

    // The facet's parametrisation: eliminate y_J[m] = -(b + sum_{t != m} a_t y_t) / a_m from
    // the face's rows (all integer, over delta * a_m), then remove the common content.
    void eliminate(const Param& phi, const std::vector<int>& J, const std::vector<Z>& at,
                   const Z& bt, int m, Param& out) {
        const int d = (int)J.size();
        const int ne = (int)phi.E.size();
        const int rw = d + 1, nw = d;  // old and new row widths
        out.E = phi.E;
        out.E.push_back(J[m]);
        out.rows.assign((size_t)(ne + 1) * nw, Z());
        for (int r = 0; r < ne; ++r) {
            const Z* row = &phi.rows[(size_t)r * rw];
            Z* o = &out.rows[(size_t)r * nw];
            const mpz_t& rm = row[m + 1].v;
            mpz_mul(o[0].v, row[0].v, at[m].v);
            mpz_submul(o[0].v, rm, bt.v);
            int c = 1;
            for (int t = 0; t < d; ++t) {
                if (t == m) continue;
                mpz_mul(o[c].v, row[t + 1].v, at[m].v);
                mpz_submul(o[c].v, rm, at[t].v);
                ++c;
            }
        }
        Z* o = &out.rows[(size_t)ne * nw];
        mpz_mul(o[0].v, bt.v, phi.delta.v);
        mpz_neg(o[0].v, o[0].v);
        int c = 1;
        for (int t = 0; t < d; ++t) {
            if (t == m) continue;
            mpz_mul(o[c].v, at[t].v, phi.delta.v);
            mpz_neg(o[c].v, o[c].v);
            ++c;
        }
        mpz_mul(out.delta.v, phi.delta.v, at[m].v);
        if (mpz_sgn(out.delta.v) < 0) {
            mpz_neg(out.delta.v, out.delta.v);
            for (auto& z : out.rows) mpz_neg(z.v, z.v);
        }
        Z gg;
        mpz_set(gg.v, out.delta.v);
        for (auto& z : out.rows) {
            if (mpz_cmp_ui(gg.v, 1) == 0) break;
            if (mpz_sgn(z.v) != 0) mpz_gcd(gg.v, gg.v, z.v);
        }
        if (mpz_cmp_ui(gg.v, 1) > 0) {
            mpz_divexact(out.delta.v, out.delta.v, gg.v);
            for (auto& z : out.rows) mpz_divexact(z.v, z.v, gg.v);
        }
    }

    // A polygon: triangles (p, u, v) over its edges uv not through the centre p.
    void polygon(const std::vector<int>& verts, const std::vector<int>& J,
                 const std::vector<int>& edges, const std::vector<uint64_t>& sub, int LW, int apex,
                 Result& res) {
        const int j0 = J[0], j1 = J[1];
        const int g = (int)verts.size();
        const int pv = verts[apex];
        const mpq_t& p0 = pt[(size_t)pv * n + j0].v;
        const mpq_t& p1 = pt[(size_t)pv * n + j1].v;
        R area, m0, m1, x0, x1, y0, y1, tri, sum;
        for (int q : edges) {
            const uint64_t* sq = &sub[(size_t)q * LW];
            if ((sq[apex >> 6] >> (apex & 63)) & 1u) continue;
            int u = -1, v = -1;
            for (int i = 0; i < g; ++i) {
                if ((sq[i >> 6] >> (i & 63)) & 1u) {
                    if (u < 0)
                        u = verts[i];
                    else
                        v = verts[i];
                }
            }
            if (v < 0) continue;
            const mpq_t& u0 = pt[(size_t)u * n + j0].v;
            const mpq_t& u1 = pt[(size_t)u * n + j1].v;
            const mpq_t& v0 = pt[(size_t)v * n + j0].v;
            const mpq_t& v1 = pt[(size_t)v * n + j1].v;
            mpq_sub(x0.v, u0, p0);
            mpq_sub(x1.v, u1, p1);
            mpq_sub(y0.v, v0, p0);
            mpq_sub(y1.v, v1, p1);
            mpq_mul(tri.v, x0.v, y1.v);
            mpq_mul(sum.v, x1.v, y0.v);
            mpq_sub(tri.v, tri.v, sum.v);
            mpq_abs(tri.v, tri.v);
            mpq_add(area.v, area.v, tri.v);
            if (moments) {
                mpq_add(sum.v, p0, u0);
                mpq_add(sum.v, sum.v, v0);
                mpq_mul(sum.v, sum.v, tri.v);
                mpq_add(m0.v, m0.v, sum.v);
                mpq_add(sum.v, p1, u1);
                mpq_add(sum.v, sum.v, v1);
                mpq_mul(sum.v, sum.v, tri.v);
                mpq_add(m1.v, m1.v, sum.v);
            }
        }
        mpq_div_2exp(res.vol.v, area.v, 1);
        if (!moments) return;
        res.mom.resize(2);
        mpq_set_ui(sum.v, 6, 1);
        mpq_div(res.mom[0].v, m0.v, sum.v);
        mpq_div(res.mom[1].v, m1.v, sum.v);
    }
};

// ---------------------------------------------------------------- conversions
bool to_mpz(PyObject* obj, mpz_t out) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (x == -1 && PyErr_Occurred()) return false;
    if (!overflow) {
        mpz_set_si(out, (long)x);
        return true;
    }
    PyObject* s = PyNumber_ToBase(obj, 16);
    if (s == nullptr) return false;
    const char* c = PyUnicode_AsUTF8(s);
    bool ok = c != nullptr;
    if (ok) {
        bool neg = c[0] == '-';
        const char* body = c + (neg ? 3 : 2);  // skip "-0x" or "0x"
        ok = mpz_set_str(out, body, 16) == 0;
        if (ok && neg) mpz_neg(out, out);
        if (!ok) PyErr_SetString(PyExc_ValueError, "_faces: bad integer");
    }
    Py_DECREF(s);
    return ok;
}

bool read_ints(PyObject* seq, std::vector<Z>& out, Py_ssize_t expected, const char* what) {
    PyObject* fast = PySequence_Fast(seq, what);
    if (fast == nullptr) return false;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    if (len != expected) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "_faces: %s has %zd entries, expected %zd", what, len,
                     expected);
        return false;
    }
    out.assign((size_t)len, Z());
    PyObject** items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < len; ++i) {
        if (!to_mpz(items[i], out[(size_t)i].v)) {
            Py_DECREF(fast);
            return false;
        }
    }
    Py_DECREF(fast);
    return true;
}

PyObject* q_str(const mpq_t q) {
    char* s = mpq_get_str(nullptr, 10, q);
    PyObject* out = PyUnicode_FromString(s);
    void (*freefunc)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &freefunc);
    freefunc(s, std::strlen(s) + 1);
    return out;
}

PyObject* z_long(const mpz_t z) {
    if (mpz_fits_slong_p(z)) return PyLong_FromLong(mpz_get_si(z));
    char* s = mpz_get_str(nullptr, 16, z);
    PyObject* out = PyLong_FromString(s, nullptr, 16);
    void (*freefunc)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &freefunc);
    freefunc(s, std::strlen(s) + 1);
    return out;
}

// ---------------------------------------------------------------- vertex enumeration
// Double description (Motzkin et al. 1953; Fukuda & Prodon 1996) of
// P = {y in [0,1]^n : a_k . y + b_k >= 0}, in exact integers, through its homogenisation
// C = {(x0, Y) : x0 >= 0, b_k x0 + a_k . Y >= 0}: P's vertices are C's extreme rays with
// x0 > 0, scaled to y = Y / x0.  A ray is kept as a primitive integer vector (x0, Y),
// with a float copy scaled to max |entry| = 1 (a sign filter) and the set of processed
// rows tight at it.  The start is the orthant x0 >= 0, y >= 0: the ray (1, 0) (the origin)
// and the n rays (0, e_j).  Each further row k, in the order given, splits the rays by the
// sign of s = b_k x0 + a_k . Y; a row no ray violates is redundant and skipped.
// Otherwise the violating rays are dropped, and for each pair p (s > 0), q (s < 0) that
// is adjacent the ray s_p q - s_q p (on the 2-face pq, where row k is tight) is added.
// Adjacency is the combinatorial test, exact for the extreme rays of a pointed cone
// (Fukuda & Prodon 1996, Prop. 7): p and q are adjacent iff their common tight set S has
// at least n - 1 rows and no other ray is tight on every row of S.  Signs come from the
// floats when |s| > 1e-9 (rows scaled to max |entry| = 1: round-off is below 1e-13), and
// from exact integers otherwise.  The row order decides only the cost: the caller puts
// the likely facets first (regions.py).
struct Enumeration {
    int n = 0, H = 0, WH = 0;   // rows 0..H-1 as given; row H is x0 >= 0
    std::vector<Z> rows;        // [H * (n + 1)]: a_0..a_{n-1}, b
    std::vector<double> frows;  // the same, scaled to max |entry| = 1
    std::vector<Z> h;           // [V * (n + 1)]: x0, Y_1..Y_n
    std::vector<double> f;      // [V * (n + 1)]: the same, scaled to max |entry| = 1
    std::vector<uint64_t> z;    // [V * WH]: tight processed rows
    size_t V = 0;
    Deadline clock;
    long long max_vertices = 0;

    double fslack(int k, size_t i) const {
        const double* a = &frows[(size_t)k * (n + 1)];
        const double* p = &f[i * (n + 1)];
        double s = a[n] * p[0];
        for (int j = 0; j < n; ++j) s += a[j] * p[j + 1];
        return s;
    }
    void slack(int k, size_t i, Z& out) const {
        const Z* a = &rows[(size_t)k * (n + 1)];
        const Z* p = &h[i * (n + 1)];
        mpz_mul(out.v, a[n].v, p[0].v);
        for (int j = 0; j < n; ++j)
            if (mpz_sgn(a[j].v) != 0) mpz_addmul(out.v, a[j].v, p[j + 1].v);
    }
    int sign(int k, size_t i, Z& tmp) const {
        double s = fslack(k, i);
        if (s > 1e-9) return 1;
        if (s < -1e-9) return -1;
        slack(k, i, tmp);
        return mpz_sgn(tmp.v);
    }
    void floats(size_t i) {
        const Z* p = &h[i * (n + 1)];
        long top = LONG_MIN;
        for (int j = 0; j <= n; ++j)
            if (mpz_sgn(p[j].v) != 0) top = std::max(top, (long)mpz_sizeinbase(p[j].v, 2));
        for (int j = 0; j <= n; ++j) {
            long e;
            double d = mpz_get_d_2exp(&e, p[j].v);
            f[i * (n + 1) + j] = d == 0.0 ? 0.0 : std::ldexp(d, (int)(e - top));
        }
        double big = 0.0;
        for (int j = 0; j <= n; ++j) big = std::max(big, std::fabs(f[i * (n + 1) + j]));
        for (int j = 0; j <= n; ++j) f[i * (n + 1) + j] /= big;
    }
    void tighten(size_t i, int k) { z[i * WH + k / 64] |= uint64_t(1) << (k % 64); }
    void check_time() const {
        if (clock.passed()) throw Abort{1};
        if (PyErr_CheckSignals() != 0) throw Abort{3};
    }

    // Enumerate; returns false when the ray count would pass max_vertices.
    bool run() {
        std::vector<int> lower(n, -1);
        for (int k = 0; k < H; ++k) {
            const Z* a = &rows[(size_t)k * (n + 1)];
            int nz = -1, count = 0;
            for (int j = 0; j < n; ++j)
                if (mpz_sgn(a[j].v) != 0) {
                    nz = j;
                    ++count;
                }
            if (count == 1 && lower[nz] < 0 && mpz_cmp_si(a[nz].v, 1) == 0 &&
                mpz_sgn(a[n].v) == 0)
                lower[nz] = k;
        }
        std::vector<char> done(H, 0);
        for (int j = 0; j < n; ++j) {
            if (lower[j] < 0) throw std::invalid_argument("missing cube rows");
            done[lower[j]] = 1;
        }
        V = (size_t)n + 1;
        h.assign(V * (n + 1), Z());
        f.assign(V * (n + 1), 0.0);
        z.assign(V * WH, 0);
        for (size_t i = 0; i < V; ++i) {  // ray 0: (1, 0); ray j: (0, e_j)
            mpz_set_ui(h[i * (n + 1) + i].v, 1);
            f[i * (n + 1) + i] = 1.0;
            for (int j = 0; j < n; ++j)
                if ((size_t)j + 1 != i) tighten(i, lower[j]);
            if (i > 0) tighten(i, H);
        }
        Z tmp, t1;
        std::vector<int> sg;
        std::vector<size_t> plus, minus;
        std::vector<uint64_t> col, acc(WH), nzb;
        std::vector<int> S;
        std::vector<Z> nh, splus, sminus, h2;
        std::vector<double> f2;
        std::vector<uint64_t> z2;
        for (int k = 0; k < H; ++k) {
            if (done[k]) continue;
            check_time();
            sg.assign(V, 0);
            plus.clear();
            minus.clear();
            for (size_t i = 0; i < V; ++i) {
                sg[i] = sign(k, i, tmp);
                if (sg[i] > 0) plus.push_back(i);
                if (sg[i] < 0) minus.push_back(i);
            }
            if (minus.empty()) {  // redundant: only record where it is tight
                for (size_t i = 0; i < V; ++i)
                    if (sg[i] == 0) tighten(i, k);
                continue;
            }
            // column bitsets over the current rays, for every processed row
            const size_t WV = (V + 63) / 64;
            col.assign((size_t)(H + 1) * WV, 0);
            for (size_t i = 0; i < V; ++i)
                for (int w = 0; w < WH; ++w) {
                    uint64_t bits = z[i * WH + w];
                    while (bits) {
                        int r = w * 64 + __builtin_ctzll(bits);
                        bits &= bits - 1;
                        col[(size_t)r * WV + i / 64] |= uint64_t(1) << (i % 64);
                    }
                }
            const uint64_t last = V % 64 ? (uint64_t(1) << (V % 64)) - 1 : ~uint64_t(0);
            nh.clear();
            nzb.clear();
            size_t added = 0;
            splus.resize(plus.size());
            sminus.resize(minus.size());
            for (size_t a = 0; a < plus.size(); ++a) slack(k, plus[a], splus[a]);
            for (size_t b = 0; b < minus.size(); ++b) slack(k, minus[b], sminus[b]);
            long long pairs = 0;
            for (size_t a = 0; a < plus.size(); ++a) {
                const size_t p = plus[a];
                for (size_t b = 0; b < minus.size(); ++b) {
                    const size_t q = minus[b];
                    if ((++pairs & 0xFFFF) == 0) check_time();
                    int common = 0;
                    for (int w = 0; w < WH; ++w) {
                        acc[w] = z[p * WH + w] & z[q * WH + w];
                        common += __builtin_popcountll(acc[w]);
                    }
                    if (common < n - 1) continue;
                    S.clear();
                    for (int w = 0; w < WH; ++w) {
                        uint64_t bits = acc[w];
                        while (bits) {
                            S.push_back(w * 64 + __builtin_ctzll(bits));
                            bits &= bits - 1;
                        }
                    }
                    int found = 0;
                    for (size_t w = 0; w < WV && found <= 2; ++w) {
                        uint64_t m = w == WV - 1 ? last : ~uint64_t(0);
                        for (int r : S) {
                            m &= col[(size_t)r * WV + w];
                            if (!m) break;
                        }
                        found += __builtin_popcountll(m);
                    }
                    if (found != 2) continue;
                    // the new ray s_p q - s_q p, made primitive
                    size_t base = nh.size();
                    nh.resize(base + n + 1);
                    mpz_set_ui(t1.v, 0);
                    for (int j = 0; j <= n; ++j) {
                        Z& c = nh[base + j];
                        mpz_mul(c.v, splus[a].v, h[q * (n + 1) + j].v);
                        mpz_submul(c.v, sminus[b].v, h[p * (n + 1) + j].v);
                        mpz_gcd(t1.v, t1.v, c.v);
                    }
                    if (mpz_cmp_ui(t1.v, 1) > 0)
                        for (int j = 0; j <= n; ++j)
                            mpz_divexact(nh[base + j].v, nh[base + j].v, t1.v);
                    for (int w = 0; w < WH; ++w) nzb.push_back(acc[w]);
                    nzb[added * WH + k / 64] |= uint64_t(1) << (k % 64);
                    ++added;
                }
            }
            // rays with s = 0 are now tight on k; keep the non-negative ones, add the new
            const size_t keep = V - minus.size();
            if ((long long)(keep + added) > max_vertices) return false;
            h2.clear();
            f2.clear();
            z2.clear();
            h2.reserve((keep + added) * (n + 1));
            f2.reserve((keep + added) * (n + 1));
            z2.reserve((keep + added) * WH);
            for (size_t i = 0; i < V; ++i) {
                if (sg[i] < 0) continue;
                for (int j = 0; j <= n; ++j) h2.push_back(std::move(h[i * (n + 1) + j]));
                for (int j = 0; j <= n; ++j) f2.push_back(f[i * (n + 1) + j]);
                for (int w = 0; w < WH; ++w) z2.push_back(z[i * WH + w]);
                if (sg[i] == 0) z2[z2.size() - WH + k / 64] |= uint64_t(1) << (k % 64);
            }
            for (size_t t = 0; t < added; ++t) {
                for (int j = 0; j <= n; ++j) h2.push_back(std::move(nh[t * (n + 1) + j]));
                for (int j = 0; j <= n; ++j) f2.push_back(0.0);
                for (int w = 0; w < WH; ++w) z2.push_back(nzb[t * WH + w]);
            }
            h.swap(h2);
            f.swap(f2);
            z.swap(z2);
            V = keep + added;
            for (size_t t = keep; t < V; ++t) floats(t);
            if (V == 0) return true;
        }
        for (size_t i = 0; i < V; ++i)
            if (mpz_sgn(h[i * (n + 1)].v) <= 0) throw std::domain_error("unbounded");
        return true;
    }
};

// vertices(n, rows, max_vertices, seconds)
//   rows: [H * (n + 1)] ints, per row a_0..a_{n-1}, b (a . y + b >= 0). They must include
//   y_j >= 0 ((e_j, 0)) for every j, because the enumeration starts from that orthant, and
//   they must bound a polytope (ValueError otherwise). Rows are inserted in the order given.
// Returns (points, masks): every vertex as a tuple (den, num_0, ..., num_{n-1}) with
// den > 0 minimal, and the bytes of H little-endian bitmasks of ceil(V / 64) words (bit i
// of mask k set when row k is tight at vertex i, for every row, exactly); or None when
// more than max_vertices vertices would be held at once; or "time" past the deadline.
PyObject* vertices(PyObject*, PyObject* args) {
    int n;
    PyObject *rows_obj, *seconds;
    long long max_vertices;
    if (!PyArg_ParseTuple(args, "iOLO", &n, &rows_obj, &max_vertices, &seconds)) return nullptr;
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "_faces: need n >= 1");
        return nullptr;
    }
    Py_ssize_t nr = PyObject_Length(rows_obj);
    if (nr < 0) return nullptr;
    if (nr % (n + 1) != 0) {
        PyErr_SetString(PyExc_ValueError, "_faces: rows need n + 1 ints each");
        return nullptr;
    }
    Enumeration e;
    e.n = n;
    e.H = (int)(nr / (n + 1));
    e.WH = (e.H + 64) / 64;  // one more bit: x0 >= 0
    e.max_vertices = max_vertices;
    if (!read_ints(rows_obj, e.rows, nr, "rows")) return nullptr;
    e.frows.assign((size_t)nr, 0.0);
    for (int k = 0; k < e.H; ++k) {
        double big = 0.0;
        for (int j = 0; j <= n; ++j) {
            double d = mpz_get_d(e.rows[(size_t)k * (n + 1) + j].v);
            e.frows[(size_t)k * (n + 1) + j] = d;
            big = std::max(big, std::fabs(d));
        }
        if (big > 0)
            for (int j = 0; j <= n; ++j) e.frows[(size_t)k * (n + 1) + j] /= big;
    }
    if (!e.clock.read(seconds)) return nullptr;
    try {
        if (!e.run()) Py_RETURN_NONE;
    } catch (const Abort& a) {
        if (a.kind == 3) return nullptr;
        return PyUnicode_FromString("time");
    } catch (const std::invalid_argument&) {
        PyErr_SetString(PyExc_ValueError, "_faces: rows must include y_j >= 0 for every j");
        return nullptr;
    } catch (const std::domain_error&) {
        PyErr_SetString(PyExc_ValueError, "_faces: the rows do not bound a polytope");
        return nullptr;
    } catch (const std::bad_alloc&) {
        return PyErr_NoMemory();
    }
    const size_t V = e.V, W = (V + 63) / 64;
    std::vector<uint64_t> masks((size_t)e.H * W, 0);
    Z tmp;
    for (int k = 0; k < e.H; ++k)
        for (size_t i = 0; i < V; ++i) {
            int sg = e.sign(k, i, tmp);
            if (sg < 0) {
                PyErr_SetString(PyExc_RuntimeError, "_faces: an enumerated vertex violates a row");
                return nullptr;
            }
            if (sg == 0) masks[(size_t)k * W + i / 64] |= uint64_t(1) << (i % 64);
        }
    PyObject* pts = PyList_New((Py_ssize_t)V);
    if (pts == nullptr) return nullptr;
    for (size_t i = 0; i < V; ++i) {
        PyObject* item = PyTuple_New(n + 1);
        if (item == nullptr) {
            Py_DECREF(pts);
            return nullptr;
        }
        PyList_SET_ITEM(pts, (Py_ssize_t)i, item);
        for (int j = 0; j <= n; ++j) {
            PyObject* x = z_long(e.h[i * (n + 1) + j].v);
            if (x == nullptr) {
                Py_DECREF(pts);
                return nullptr;
            }
            PyTuple_SET_ITEM(item, j, x);
        }
    }
    std::string out(masks.size() * 8, '\0');
    for (size_t w = 0; w < masks.size(); ++w)
        for (int b = 0; b < 8; ++b) out[w * 8 + b] = (char)((masks[w] >> (8 * b)) & 0xff);
    return Py_BuildValue("(Ny#)", pts, out.data(), (Py_ssize_t)out.size());
}

PyObject* new_memo(PyObject*, PyObject*) {
    return PyCapsule_New(new Memo(), kMemoName, memo_destructor);
}

// integrate(n, V, points, hyps, masks, ids, moments, memo, seconds, max_faces)
//   points: [V * (n + 1)] ints, per vertex its denominator then its n numerators;
//   hyps:   [H * (n + 1)] ints, per hyperplane a_0..a_{n-1}, b (a . y + b >= 0);
//   masks:  bytes, H blocks of W * 8 little-endian bytes (vertices on each hyperplane);
//   ids:    [V] global vertex numbers; seconds: float or None; max_faces: int (< 0: none).
// Returns (volume, [moments] or None, faces computed) with rationals as strings, or
// ("time", None, faces) / ("faces", None, faces) when a limit was hit.
PyObject* integrate(PyObject*, PyObject* args) {
    int n, V, moments;
    PyObject *points, *hyps, *ids_obj, *capsule, *seconds;
    Py_buffer masks_buf;
    long long max_faces;
    if (!PyArg_ParseTuple(args, "iiOOy*OpOOL", &n, &V, &points, &hyps, &masks_buf, &ids_obj,
                          &moments, &capsule, &seconds, &max_faces))
        return nullptr;
    std::unique_ptr<Py_buffer, void (*)(Py_buffer*)> guard(&masks_buf, PyBuffer_Release);
    auto* memo = static_cast<Memo*>(PyCapsule_GetPointer(capsule, kMemoName));
    if (memo == nullptr) return nullptr;
    if (n < 1 || V < 1) {
        PyErr_SetString(PyExc_ValueError, "_faces: need n >= 1 and at least one vertex");
        return nullptr;
    }
    Recursion run;
    run.n = n;
    run.V = V;
    run.W = (V + 63) >> 6;
    run.moments = moments != 0;
    run.memo = memo;
    run.max_faces = max_faces;
    if (!run.clock.read(seconds)) return nullptr;
    Py_ssize_t block = (Py_ssize_t)run.W * 8;
    if (masks_buf.len % block != 0) {
        PyErr_SetString(PyExc_ValueError, "_faces: masks length is not a multiple of the block");
        return nullptr;
    }
    run.H = (int)(masks_buf.len / block);
    run.masks.resize((size_t)run.H * run.W);
    const auto* bytes = static_cast<const unsigned char*>(masks_buf.buf);
    for (size_t w = 0; w < run.masks.size(); ++w) {
        uint64_t x = 0;
        for (int b = 7; b >= 0; --b) x = (x << 8) | bytes[w * 8 + b];
        run.masks[w] = x;
    }
    std::vector<Z> praw, hraw;
    if (!read_ints(points, praw, (Py_ssize_t)V * (n + 1), "points")) return nullptr;
    if (!read_ints(hyps, hraw, (Py_ssize_t)run.H * (n + 1), "hyps")) return nullptr;
    run.num.assign((size_t)V * n, Z());
    run.den.assign((size_t)V, Z());
    run.pt.assign((size_t)V * n, R());
    for (int i = 0; i < V; ++i) {
        const Z* p = &praw[(size_t)i * (n + 1)];
        if (mpz_sgn(p[0].v) <= 0) {
            PyErr_SetString(PyExc_ValueError, "_faces: a vertex denominator is not positive");
            return nullptr;
        }
        run.den[i] = p[0];
        for (int j = 0; j < n; ++j) {
            run.num[(size_t)i * n + j] = p[j + 1];
            mpq_set_num(run.pt[(size_t)i * n + j].v, p[j + 1].v);
            mpq_set_den(run.pt[(size_t)i * n + j].v, p[0].v);
            mpq_canonicalize(run.pt[(size_t)i * n + j].v);
        }
    }
    run.ha.assign((size_t)run.H * n, Z());
    run.hb.assign((size_t)run.H, Z());
    for (int k = 0; k < run.H; ++k) {
        for (int j = 0; j < n; ++j) run.ha[(size_t)k * n + j] = hraw[(size_t)k * (n + 1) + j];
        run.hb[k] = hraw[(size_t)k * (n + 1) + n];
    }
    std::vector<int32_t> gids;
    {
        PyObject* fast = PySequence_Fast(ids_obj, "ids");
        if (fast == nullptr) return nullptr;
        if (PySequence_Fast_GET_SIZE(fast) != V) {
            Py_DECREF(fast);
            PyErr_SetString(PyExc_ValueError, "_faces: ids must have one entry per vertex");
            return nullptr;
        }
        for (Py_ssize_t i = 0; i < V; ++i) {
            long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));
            if (x == -1 && PyErr_Occurred()) {
                Py_DECREF(fast);
                return nullptr;
            }
            gids.push_back((int32_t)x);
        }
        Py_DECREF(fast);
    }
    run.ids = std::move(gids);

    std::vector<int> verts(V), J(n), rel(run.H);
    for (int i = 0; i < V; ++i) verts[i] = i;
    for (int j = 0; j < n; ++j) J[j] = j;
    for (int k = 0; k < run.H; ++k) rel[k] = k;
    Param top;
    mpz_set_ui(top.delta.v, 1);
    const Result* res = nullptr;
    const char* stopped = nullptr;
    try {
        res = run.face(verts, J, top, rel, run.key_of(verts));
    } catch (const Abort& a) {
        if (a.kind == 3) return nullptr;
        stopped = a.kind == 1 ? "time" : "faces";
    } catch (const std::bad_alloc&) {
        return PyErr_NoMemory();
    }
    if (stopped != nullptr) return Py_BuildValue("(sOL)", stopped, Py_None, run.faces);
    PyObject* vol = q_str(res->vol.v);
    if (vol == nullptr) return nullptr;
    PyObject* mom;
    if (run.moments) {
        mom = PyList_New((Py_ssize_t)res->mom.size());
        if (mom == nullptr) {
            Py_DECREF(vol);
            return nullptr;
        }
        for (size_t t = 0; t < res->mom.size(); ++t) {
            PyObject* s = q_str(res->mom[t].v);
            if (s == nullptr) {
                Py_DECREF(vol);
                Py_DECREF(mom);
                return nullptr;
            }
            PyList_SET_ITEM(mom, (Py_ssize_t)t, s);
        }
    } else {
        mom = Py_NewRef(Py_None);
    }
    return Py_BuildValue("(NNL)", vol, mom, run.faces);
}

PyMethodDef methods[] = {
    {"new_memo", new_memo, METH_NOARGS, "A new, empty face memo (shared between calls)."},
    {"vertices", vertices, METH_VARARGS,
     "Exact vertices of a polytope in the unit cube (double description), and incidences."},
    {"integrate", integrate, METH_VARARGS,
     "Exact volume and moments of a polytope from its vertices and incidences."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_faces",
    "Exact vertex enumeration and Lasserre recursion (see powerlab.power.exact.compiled).", -1,
    methods,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

PyMODINIT_FUNC PyInit__faces(void) { return PyModule_Create(&module); }
