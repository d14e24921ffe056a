// Doc2Vec's inner loops (Le & Mikolov 2014) with negative sampling, one document per call, in the
// update order of gensim's doc2vec_inner (itself word2vec.c's): sub-sample the document, then for
// each kept word train the (doc → word) pair (PV-DBOW, optionally skip-gram word pairs too) or the
// (doc + context → word) pair (PV-DM, mean or concatenation of the context). Randomness is
// word2vec's 48-bit linear congruential generator, seeded per document by the caller, so a
// document's draws do not depend on which thread trains it. Dots sum in a fixed 16-lane order and
// the sigmoid is the scalar tl_exp, so every target clone computes the same bits.
#include "ckernels.h"
#include "kernel_support.h"

static inline float dot16(const float *restrict a, const float *restrict b, long d) {
    float lanes[16] = {0};
    long k = 0;
    for (; k + 16 <= d; k += 16)
        for (int l = 0; l < 16; l++) lanes[l] += a[k + l] * b[k + l];
    float s = 0;
    for (; k < d; k++) lanes[k & 15] += a[k] * b[k];
    for (int l = 0; l < 16; l++) s += lanes[l];
    return s;
}

static inline void axpy(float g, const float *restrict x, float *restrict y, long d) {
    for (long k = 0; k < d; k++) y[k] += g * x[k];
}

static inline uint64_t lcg(uint64_t *state) {
    *state = (*state * 25214903917ULL + 11ULL) & 0xFFFFFFFFFFFFULL;
    return *state;
}

/// A noise word: the first index whose cumulative (count^0.75) weight exceeds a uniform draw.
static inline int32_t noise_word(const tl_d2v_model *m, uint64_t *rng) {
    uint32_t draw = (uint32_t)((lcg(rng) >> 16) % m->cum_table[m->vocab - 1]);
    long lo = 0, hi = m->vocab - 1;
    while (lo < hi) {
        long mid = (lo + hi) >> 1;
        if (m->cum_table[mid] > draw) hi = mid; else lo = mid + 1;
    }
    return (int32_t)lo;
}

/// One prediction of `word` from the input layer `l1` (width m->layer) with `negative` noise words:
/// adds the input's error gradient (scaled by alpha) to `neu1e`, and updates the output weights
/// when `learn_hidden`.
static inline void sgns(const tl_d2v_model *m, const float *restrict l1, float *restrict neu1e, int32_t word,
                        float alpha, uint64_t *rng, int learn_hidden) {
    long width = m->layer;
    for (int d = 0; d <= m->negative; d++) {
        int32_t target;
        float label;
        if (d == 0) { target = word; label = 1.0f; }
        else { target = noise_word(m, rng); if (target == word) continue; label = 0.0f; }
        float *restrict out = m->syn1neg + (long)target * width;
        float f = dot16(l1, out, width);
        if (f > 30.0f) f = 30.0f; else if (f < -30.0f) f = -30.0f;
        float g = (label - 1.0f / (1.0f + tl_exp(-f))) * alpha;
        axpy(g, out, neu1e, width);
        if (learn_hidden) axpy(g, l1, out, width);
    }
}

/// Sub-samples `words` into `kept` (gensim's rule: keep w when keep[w] ≥ a uniform 32-bit draw).
static long subsample(const tl_d2v_model *m, const int32_t *words, long n, int32_t *kept, uint64_t *rng) {
    long count = 0;
    for (long i = 0; i < n; i++) {
        int32_t w = words[i];
        if (m->keep[w] < 0xFFFFFFFFu && m->keep[w] < (uint32_t)(lcg(rng) >> 16)) continue;
        kept[count++] = w;
    }
    return count;
}

CLONES long tl_d2v_dbow(const tl_d2v_model *m, const int32_t *words, long n, float *doc, float alpha, uint64_t *rng,
                        int train_words, int learn_doc, int learn_hidden, int learn_words, int32_t *kept, float *work) {
    long d = m->dimension;
    long count = subsample(m, words, n, kept, rng);
    for (long i = 0; i < count; i++) {
        if (train_words) {  // skip-gram pairs: each context word predicts word i
            long b = (long)(lcg(rng) % (uint64_t)m->window);
            long start = i - m->window + b, end = i + m->window + 1 - b;
            if (start < 0) start = 0;
            if (end > count) end = count;
            for (long j = start; j < end; j++) {
                if (j == i) continue;
                float *context = m->syn0 + (long)kept[j] * d;
                for (long k = 0; k < d; k++) work[k] = 0;
                sgns(m, context, work, kept[i], alpha, rng, learn_hidden);
                if (learn_words) axpy(1.0f, work, context, d);
            }
        }
        for (long k = 0; k < d; k++) work[k] = 0;
        sgns(m, doc, work, kept[i], alpha, rng, learn_hidden);
        if (learn_doc) axpy(1.0f, work, doc, d);
    }
    return count;
}

CLONES long tl_d2v_dm(const tl_d2v_model *m, const int32_t *words, long n, float *doc, float alpha, uint64_t *rng,
                      int concat, int learn_doc, int learn_hidden, int learn_words, int32_t *kept, float *work) {
    long d = m->dimension, width = m->layer, window = m->window;
    float *neu1 = work, *neu1e = work + width;
    long count = subsample(m, words, n, kept, rng);
    for (long i = 0; i < count; i++) {
        for (long k = 0; k < width; k++) neu1e[k] = 0;
        if (concat) {
            // [doc; w(i−window) … w(i−1); w(i+1) … w(i+window)], the null word beyond the edges.
            for (long k = 0; k < d; k++) neu1[k] = doc[k];
            long slot = 1;
            for (long j = i - window; j <= i + window; j++) {
                if (j == i) continue;
                int32_t w = (j < 0 || j >= count) ? m->null_word : kept[j];
                const float *v = m->syn0 + (long)w * d;
                for (long k = 0; k < d; k++) neu1[slot * d + k] = v[k];
                slot++;
            }
            sgns(m, neu1, neu1e, kept[i], alpha, rng, learn_hidden);
            if (learn_doc) axpy(1.0f, neu1e, doc, d);
            if (learn_words) {
                slot = 1;
                for (long j = i - window; j <= i + window; j++) {
                    if (j == i) continue;
                    int32_t w = (j < 0 || j >= count) ? m->null_word : kept[j];
                    axpy(1.0f, neu1e + slot * d, m->syn0 + (long)w * d, d);
                    slot++;
                }
            }
        } else {
            // Mean of the doc vector and the words of a randomly reduced window.
            long b = (long)(lcg(rng) % (uint64_t)window);
            long start = i - window + b, end = i + window + 1 - b;
            if (start < 0) start = 0;
            if (end > count) end = count;
            for (long k = 0; k < d; k++) neu1[k] = doc[k];
            float inputs = 1;
            for (long j = start; j < end; j++) {
                if (j == i) continue;
                axpy(1.0f, m->syn0 + (long)kept[j] * d, neu1, d);
                inputs += 1;
            }
            float inv = 1.0f / inputs;
            for (long k = 0; k < d; k++) neu1[k] *= inv;
            sgns(m, neu1, neu1e, kept[i], alpha, rng, learn_hidden);
            // As word2vec's CBOW: every input gets the whole error of the mean.
            if (learn_doc) axpy(1.0f, neu1e, doc, d);
            if (learn_words)
                for (long j = start; j < end; j++)
                    if (j != i) axpy(1.0f, neu1e, m->syn0 + (long)kept[j] * d, d);
        }
    }
    return count;
}
