/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rng.h - the fuzzers' pseudo-random generator (xorshift64*): fast, and a
 * run is reproduced exactly from the seed it prints.
 */
#ifndef XLB_FUZZ_RNG_H
#define XLB_FUZZ_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static uint64_t rng_s = 1;

static inline void rng_seed(uint64_t seed)
{
	rng_s = seed ? seed : 1;
}

static inline uint32_t rnd(void)
{
	rng_s ^= rng_s >> 12;
	rng_s ^= rng_s << 25;
	rng_s ^= rng_s >> 27;
	return (uint32_t)((rng_s * 0x2545f4914f6cdd1dull) >> 32);
}

/* Uniform-enough in [0, n); 0 when n is 0. */
static inline uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static inline bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

static inline void rnd_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd();
}

#endif /* XLB_FUZZ_RNG_H */
