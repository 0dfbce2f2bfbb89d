//go:build amd64 && !purego && gc

#include "textflag.h"

// VPSHUFB masks rotating each 32-bit word left by 8 and by 16 bits.
DATA ·rot8+0(SB)/8, $0x0605040702010003
DATA ·rot8+8(SB)/8, $0x0e0d0c0f0a09080b
DATA ·rot8+16(SB)/8, $0x0605040702010003
DATA ·rot8+24(SB)/8, $0x0e0d0c0f0a09080b
GLOBL ·rot8(SB), RODATA|NOPTR, $32

DATA ·rot16+0(SB)/8, $0x0504070601000302
DATA ·rot16+8(SB)/8, $0x0d0c0f0e09080b0a
DATA ·rot16+16(SB)/8, $0x0504070601000302
DATA ·rot16+24(SB)/8, $0x0d0c0f0e09080b0a
GLOBL ·rot16(SB), RODATA|NOPTR, $32
