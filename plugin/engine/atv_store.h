/*
 * Storage behind the engine: handshakes in an arena addressed by id, the
 * current handshake of each TCP stream, and the frame -> handshake index
 * that later passes use to replay results.
 *
 * Ids instead of pointers keep the per-stream and per-frame tables at four
 * bytes an entry, which is what keeps memory per conversation small.
 */
#ifndef ATV_STORE_H
#define ATV_STORE_H

#include "atv_engine.h"

typedef uint32_t atv_hs_id; /* 1-based; 0 means none */

typedef struct {
    uint32_t frame;
    atv_hs_id handshake;
} atv_frame_entry;

typedef struct {
    atv_handshake **blocks;      /* fixed-size blocks, never moved */
    size_t block_count;
    size_t handshake_count;

    atv_hs_id *stream_current;   /* indexed by tcp.stream */
    size_t stream_capacity;

    atv_frame_entry *frames;     /* appended in first-pass order */
    size_t frame_count;
    size_t frame_capacity;
    bool frames_unsorted;        /* set if frames arrived out of order */
} atv_store;

void atv_store_init(atv_store *store);
void atv_store_clear(atv_store *store);

/* A new zeroed handshake, or NULL when memory runs out. */
atv_handshake *atv_store_new_handshake(atv_store *store, atv_hs_id *id_out);
atv_handshake *atv_store_handshake(const atv_store *store, atv_hs_id id);

atv_hs_id atv_store_stream_current(const atv_store *store, uint32_t stream);
/* Makes room for `stream` in the stream table; false if it cannot be tracked. */
bool atv_store_reserve_stream(atv_store *store, uint32_t stream);
bool atv_store_set_stream_current(atv_store *store, uint32_t stream, atv_hs_id id);

void atv_store_note_frame(atv_store *store, uint32_t frame, atv_hs_id id);
atv_hs_id atv_store_frame_lookup(atv_store *store, uint32_t frame);

#endif
