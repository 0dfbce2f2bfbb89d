//go:build amd64 && !purego && gc

#include "textflag.h"

// VPERMD indices putting the sixteen input words in diagonal order (rows512_amd64.s).
DATA ·diagonal512+0(SB)/4, $0
DATA ·diagonal512+4(SB)/4, $5
DATA ·diagonal512+8(SB)/4, $10
DATA ·diagonal512+12(SB)/4, $15
DATA ·diagonal512+16(SB)/4, $4
DATA ·diagonal512+20(SB)/4, $9
DATA ·diagonal512+24(SB)/4, $14
DATA ·diagonal512+28(SB)/4, $3
DATA ·diagonal512+32(SB)/4, $8
DATA ·diagonal512+36(SB)/4, $13
DATA ·diagonal512+40(SB)/4, $2
DATA ·diagonal512+44(SB)/4, $7
DATA ·diagonal512+48(SB)/4, $12
DATA ·diagonal512+52(SB)/4, $1
DATA ·diagonal512+56(SB)/4, $6
DATA ·diagonal512+60(SB)/4, $11
GLOBL ·diagonal512(SB), RODATA|NOPTR, $64

// The block offsets of a row set's four lanes, each as a 64-bit number twice.
DATA ·laneBlocks+0(SB)/8, $0
DATA ·laneBlocks+8(SB)/8, $0
DATA ·laneBlocks+16(SB)/8, $1
DATA ·laneBlocks+24(SB)/8, $1
DATA ·laneBlocks+32(SB)/8, $2
DATA ·laneBlocks+40(SB)/8, $2
DATA ·laneBlocks+48(SB)/8, $3
DATA ·laneBlocks+56(SB)/8, $3
GLOBL ·laneBlocks(SB), RODATA|NOPTR, $64

DATA ·four+0(SB)/8, $4
GLOBL ·four(SB), RODATA|NOPTR, $8

// The block offsets of a wide pass's sixteen lanes as 64-bit numbers, and a pass's step.
DATA ·wideBlocks+0(SB)/8, $0
DATA ·wideBlocks+8(SB)/8, $1
DATA ·wideBlocks+16(SB)/8, $2
DATA ·wideBlocks+24(SB)/8, $3
DATA ·wideBlocks+32(SB)/8, $4
DATA ·wideBlocks+40(SB)/8, $5
DATA ·wideBlocks+48(SB)/8, $6
DATA ·wideBlocks+56(SB)/8, $7
GLOBL ·wideBlocks(SB), RODATA|NOPTR, $64

DATA ·eight+0(SB)/8, $8
GLOBL ·eight(SB), RODATA|NOPTR, $8
