/*
 * Agent TLS Verdict postdissector: registration and per-frame entry point.
 *
 * The engine is fed on the first pass only, when the TLS and TCP fields are
 * primed; every later pass (GUI clicks, tshark -2, taps) replays the final
 * state stored for the frame.
 */
#include "agenttls.h"

static dissector_handle_t agenttls_handle;
static atv_engine *engine; /* file scope: created and freed with each capture file */

static void agenttls_init(void)
{
    engine = atv_engine_new();
}

static void agenttls_cleanup(void)
{
    atv_engine_free(engine);
    engine = NULL;
}

static int dissect_agenttls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!engine)
        return 0;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!tree)
            return 0; /* fields are primed only with a tree; nothing to read */
        agenttls_extract_frame(engine, pinfo, tree);
    } else {
        atv_on_capture_end(engine); /* a revisit means the whole file has been read */
    }

    const atv_handshake *hs = atv_frame_handshake(engine, pinfo->num);
    if (!hs)
        return 0;
    /* Later passes may come without a tree (e.g. tshark -2 -z expert); the
     * expert items must still reach the taps. */
    agenttls_render(hs, pinfo, tree, tvb);
    agenttls_tap_handshake(pinfo, hs);
    return tvb_captured_length(tvb);
}

void proto_register_agenttls(void)
{
    agenttls_register_fields();
    agenttls_register_prefs();
    agenttls_register_tap();
    agenttls_handle = create_dissector_handle(dissect_agenttls, agenttls_hf.proto);
    register_init_routine(agenttls_init);
    register_cleanup_routine(agenttls_cleanup);
    register_shutdown_routine(agenttls_extract_shutdown);
}

void proto_reg_handoff_agenttls(void)
{
    register_postdissector(agenttls_handle);
    set_postdissector_wanted_hfids(agenttls_handle, agenttls_extract_init());
    agenttls_handoff_prefs();
}
