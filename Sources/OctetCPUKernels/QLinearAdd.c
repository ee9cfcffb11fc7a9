#include "OctetQLinearAdd.h"
#include "OctetCPUKernels.h"

#include <math.h>

// One element as onnxruntime's MLAS computes it: two fused multiply-adds, then round to nearest even
// (the default rounding mode, as cvtps2dq uses), then the integer clamp.
static inline uint8_t add_one(uint8_t a, uint8_t b, uint8_t flip, float ra, float rb, float fixed, int32_t lower,
                              int32_t upper) {
    float t = fmaf((float)(a ^ flip), ra, fmaf((float)(b ^ flip), rb, fixed));
    if (t > 1e9f) t = 1e9f;
    if (t < -1e9f) t = -1e9f;
    int32_t v = (int32_t)nearbyintf(t);
    v = v < lower ? lower : v > upper ? upper : v;
    return (uint8_t)v ^ flip;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static void add_avx2(const uint8_t *a, const uint8_t *b, uint8_t *out, ptrdiff_t count, uint8_t flip, float ra,
                     float rb, float fixed, int32_t lower, int32_t upper) {
    const __m256 vra = _mm256_set1_ps(ra), vrb = _mm256_set1_ps(rb), vfixed = _mm256_set1_ps(fixed);
    const __m256 big = _mm256_set1_ps(1e9f), small = _mm256_set1_ps(-1e9f);
    const __m256i lo = _mm256_set1_epi32(lower), hi = _mm256_set1_epi32(upper);
    const __m128i vflip = _mm_set1_epi8((char)flip);
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i ra8 = _mm_xor_si128(_mm_loadl_epi64((const __m128i *)(a + i)), vflip);
        __m128i rb8 = _mm_xor_si128(_mm_loadl_epi64((const __m128i *)(b + i)), vflip);
        __m256 fa = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(ra8));
        __m256 fb = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(rb8));
        __m256 t = _mm256_fmadd_ps(fa, vra, _mm256_fmadd_ps(fb, vrb, vfixed));
        t = _mm256_min_ps(_mm256_max_ps(t, small), big);
        __m256i v = _mm256_cvtps_epi32(t);
        v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
        // Eight int32 lanes in 0...255 to eight bytes.
        __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        __m128i bytes = _mm_packus_epi16(words, words);
        _mm_storel_epi64((__m128i *)(out + i), _mm_xor_si128(bytes, vflip));
    }
    for (; i < count; i++) out[i] = add_one(a[i], b[i], flip, ra, rb, fixed, lower, upper);
}

// The same operations in the same order, 16 values a step. AVX-512F only (no byte masks), so the ragged
// end goes through add_one.
__attribute__((target("avx512f")))
static void add_avx512(const uint8_t *a, const uint8_t *b, uint8_t *out, ptrdiff_t count, uint8_t flip, float ra,
                       float rb, float fixed, int32_t lower, int32_t upper) {
    const __m512 vra = _mm512_set1_ps(ra), vrb = _mm512_set1_ps(rb), vfixed = _mm512_set1_ps(fixed);
    const __m512 big = _mm512_set1_ps(1e9f), small = _mm512_set1_ps(-1e9f);
    const __m512i lo = _mm512_set1_epi32(lower), hi = _mm512_set1_epi32(upper);
    const __m128i vflip = _mm_set1_epi8((char)flip);
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m128i ra8 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + i)), vflip);
        const __m128i rb8 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(b + i)), vflip);
        const __m512 fa = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(ra8));
        const __m512 fb = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(rb8));
        __m512 t = _mm512_fmadd_ps(fa, vra, _mm512_fmadd_ps(fb, vrb, vfixed));
        t = _mm512_min_ps(_mm512_max_ps(t, small), big);
        const __m512i v = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(t), lo), hi);
        // Lanes in 0...255: their low bytes are the values.
        _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(_mm512_cvtepi32_epi8(v), vflip));
    }
    for (; i < count; i++) out[i] = add_one(a[i], b[i], flip, ra, rb, fixed, lower, upper);
}
#endif

void octet_qlinear_add_u8(const uint8_t *a, const uint8_t *b, uint8_t *out, ptrdiff_t count, uint8_t flip,
                          float ra, float rb, float fixed, int32_t lower, int32_t upper, int isa) {
#if defined(__x86_64__)
    if (isa >= 2) {
        add_avx512(a, b, out, count, flip, ra, rb, fixed, lower, upper);
        return;
    }
    if (isa == 1) {
        add_avx2(a, b, out, count, flip, ra, rb, fixed, lower, upper);
        return;
    }
#else
    (void)isa;
#endif
    for (ptrdiff_t i = 0; i < count; i++) out[i] = add_one(a[i], b[i], flip, ra, rb, fixed, lower, upper);
}
