// Storing blocks for rows512_amd64.s and wide512_amd64.s: SI, DI and CX are in, out and the
// bytes left; the including routine has labels last (for a last block shorter than 64
// bytes, in Z31) and done.

// OUT: the block in zb XORed over the next 64 bytes of in into out while CX bytes remain;
// fewer than 64 go to last, none to done.
#define OUT(zb) \
	VMOVDQA64 zb, Z31; \
	CMPQ      CX, $64; \
	JB        last; \
	VPXORD    (SI), Z31, Z31; \
	VMOVDQU64 Z31, (DI); \
	ADDQ      $64, SI; \
	ADDQ      $64, DI; \
	SUBQ      $64, CX; \
	JZ        done

// LASTBLOCK: the CX (1..63) bytes left, loaded (zero elsewhere) and stored under a byte mask
// in K5, which reads and writes nothing past them.
#define LASTBLOCK \
	MOVQ       $1, AX; \
	SHLQ       CX, AX; \
	DECQ       AX; \
	KMOVQ      AX, K5; \
	VMOVDQU8.Z (SI), K5, Z30; \
	VPXORD     Z30, Z31, Z31; \
	VMOVDQU8   Z31, K5, (DI)
