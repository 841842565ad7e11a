#include "atv_store.h"

#include <stdlib.h>
#include <string.h>

#define ATV_BLOCK_SIZE 1024u

/* tcp.stream numbers are dense from 0, but a hostile capture could still
 * claim a huge one; refuse to grow the table past this many streams. */
#define ATV_MAX_STREAMS (64u * 1024u * 1024u)

void atv_store_init(atv_store *store)
{
    memset(store, 0, sizeof *store);
}

void atv_store_clear(atv_store *store)
{
    for (size_t b = 0; b < store->block_count; b++) {
        size_t used = store->handshake_count - b * ATV_BLOCK_SIZE;
        if (used > ATV_BLOCK_SIZE)
            used = ATV_BLOCK_SIZE;
        for (size_t i = 0; i < used; i++) {
            free(store->blocks[b][i].offered_suites);
            free(store->blocks[b][i].certificate_subject);
            free(store->blocks[b][i].certificate_issuer);
        }
        free(store->blocks[b]);
    }
    free(store->blocks);
    free(store->stream_current);
    free(store->frames);
    atv_store_init(store);
}

static bool grow_blocks(atv_store *store)
{
    atv_handshake **blocks = realloc(store->blocks, (store->block_count + 1) * sizeof *blocks);
    if (!blocks)
        return false;
    store->blocks = blocks;
    blocks[store->block_count] = calloc(ATV_BLOCK_SIZE, sizeof(atv_handshake));
    if (!blocks[store->block_count])
        return false;
    store->block_count++;
    return true;
}

atv_handshake *atv_store_new_handshake(atv_store *store, atv_hs_id *id_out)
{
    size_t index = store->handshake_count;
    if (index >= UINT32_MAX - 1)
        return NULL;
    if (index / ATV_BLOCK_SIZE >= store->block_count && !grow_blocks(store))
        return NULL;
    store->handshake_count++;
    *id_out = (atv_hs_id)(index + 1);
    return &store->blocks[index / ATV_BLOCK_SIZE][index % ATV_BLOCK_SIZE];
}

atv_handshake *atv_store_handshake(const atv_store *store, atv_hs_id id)
{
    if (id == 0 || id > store->handshake_count)
        return NULL;
    size_t index = id - 1;
    return &store->blocks[index / ATV_BLOCK_SIZE][index % ATV_BLOCK_SIZE];
}

atv_hs_id atv_store_stream_current(const atv_store *store, uint32_t stream)
{
    return stream < store->stream_capacity ? store->stream_current[stream] : 0;
}

static bool grow_streams(atv_store *store, uint32_t stream)
{
    if (stream >= ATV_MAX_STREAMS)
        return false;
    size_t capacity = store->stream_capacity ? store->stream_capacity : 1024;
    while (capacity <= stream)
        capacity *= 2;
    atv_hs_id *table = realloc(store->stream_current, capacity * sizeof *table);
    if (!table)
        return false;
    memset(table + store->stream_capacity, 0,
           (capacity - store->stream_capacity) * sizeof *table);
    store->stream_current = table;
    store->stream_capacity = capacity;
    return true;
}

bool atv_store_reserve_stream(atv_store *store, uint32_t stream)
{
    return stream < store->stream_capacity || grow_streams(store, stream);
}

bool atv_store_set_stream_current(atv_store *store, uint32_t stream, atv_hs_id id)
{
    if (!atv_store_reserve_stream(store, stream))
        return false;
    store->stream_current[stream] = id;
    return true;
}

static bool grow_frames(atv_store *store)
{
    size_t capacity = store->frame_capacity ? store->frame_capacity * 2 : 4096;
    atv_frame_entry *frames = realloc(store->frames, capacity * sizeof *frames);
    if (!frames)
        return false;
    store->frames = frames;
    store->frame_capacity = capacity;
    return true;
}

void atv_store_note_frame(atv_store *store, uint32_t frame, atv_hs_id id)
{
    if (store->frame_count > 0) {
        atv_frame_entry *last = &store->frames[store->frame_count - 1];
        if (last->frame == frame) {
            last->handshake = id; /* a frame shows the last handshake it touched */
            return;
        }
        if (last->frame > frame)
            store->frames_unsorted = true;
    }
    if (store->frame_count == store->frame_capacity && !grow_frames(store))
        return;
    store->frames[store->frame_count].frame = frame;
    store->frames[store->frame_count].handshake = id;
    store->frame_count++;
}

static int compare_entries(const void *a, const void *b)
{
    uint32_t fa = ((const atv_frame_entry *)a)->frame;
    uint32_t fb = ((const atv_frame_entry *)b)->frame;
    return (fa > fb) - (fa < fb);
}

/* Only bad input feeds frames out of order.  Sort, then keep one entry per
 * frame so that every later lookup, fast path or search, agrees. */
static void sort_frames(atv_store *store)
{
    qsort(store->frames, store->frame_count, sizeof *store->frames, compare_entries);
    size_t kept = 0;
    for (size_t i = 0; i < store->frame_count; i++) {
        if (kept > 0 && store->frames[kept - 1].frame == store->frames[i].frame)
            store->frames[kept - 1] = store->frames[i];
        else
            store->frames[kept++] = store->frames[i];
    }
    store->frame_count = kept;
    store->frames_unsorted = false;
}

atv_hs_id atv_store_frame_lookup(atv_store *store, uint32_t frame)
{
    if (store->frame_count == 0)
        return 0;
    /* First pass: the frame asked about is the newest one; most frames
     * carry no event, so answer those without searching. */
    const atv_frame_entry *last = &store->frames[store->frame_count - 1];
    if (!store->frames_unsorted && last->frame <= frame)
        return last->frame == frame ? last->handshake : 0;
    if (store->frames_unsorted)
        sort_frames(store);
    size_t low = 0, high = store->frame_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (store->frames[mid].frame < frame)
            low = mid + 1;
        else
            high = mid;
    }
    if (low < store->frame_count && store->frames[low].frame == frame)
        return store->frames[low].handshake;
    return 0;
}
