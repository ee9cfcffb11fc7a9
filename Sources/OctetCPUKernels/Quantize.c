#include "OctetQuantize.h"

#include <math.h>

// In the uint8 domain: the product is clamped to [-zp, 255 - zp] before rounding (the bounds are integers,
// so this equals saturating after), which also keeps the conversion in range.
static inline uint8_t quantize_one(float x, float scale, int32_t zero_point, uint8_t flip) {
    float v = x / scale;
    if (v != v) return (uint8_t)zero_point ^ flip;
    float lo = (float)(0 - zero_point), hi = (float)(255 - zero_point);
    v = v < lo ? lo : v > hi ? hi : v;
    return (uint8_t)((int32_t)nearbyintf(v) + zero_point) ^ flip;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2")))
static void quantize_avx2(const float *x, uint8_t *out, ptrdiff_t count, float scale, int32_t zero_point,
                          uint8_t flip) {
    const __m256 vs = _mm256_set1_ps(scale);
    const __m256 lo = _mm256_set1_ps((float)(0 - zero_point)), hi = _mm256_set1_ps((float)(255 - zero_point));
    const __m256i zp = _mm256_set1_epi32(zero_point);
    const __m128i vflip = _mm_set1_epi8((char)flip);
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), vs);
        // NaN to 0 (then the zero point); max/min return their second operand on NaN, so do it first.
        v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
        v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
        __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
        __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
        _mm_storel_epi64((__m128i *)(out + i), _mm_xor_si128(_mm_packus_epi16(words, words), vflip));
    }
    for (; i < count; i++) out[i] = quantize_one(x[i], scale, zero_point, flip);
}
#endif

void octet_quantize_u8(const float *x, uint8_t *out, ptrdiff_t count, float scale, int32_t zero_point, uint8_t flip,
                       int avx2) {
#if defined(__x86_64__)
    if (avx2) {
        quantize_avx2(x, out, count, scale, zero_point, flip);
        return;
    }
#else
    (void)avx2;
#endif
    for (ptrdiff_t i = 0; i < count; i++) out[i] = quantize_one(x[i], scale, zero_point, flip);
}
