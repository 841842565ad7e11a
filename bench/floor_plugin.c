/*
 * Benchmark reference: the cheapest possible postdissector that reads a
 * field.  It asks for tcp.stream and does nothing else, so tshark with it
 * pays only for building a protocol tree on every frame.  run_bench.sh
 * times it next to plain tshark and the real plugin: the real plugin's cost
 * above this floor is what the plugin itself can do something about.
 * Not installed; built into build/bench-floor/plugins.
 */
#include <epan/packet.h>
#include <epan/proto.h>

#include "agenttls_version.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = AGENTTLS_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = AGENTTLS_WIRESHARK_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = AGENTTLS_WIRESHARK_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_floor = -1;
static dissector_handle_t floor_handle;

static int dissect_floor(tvbuff_t *tvb _U_, packet_info *pinfo _U_, proto_tree *tree _U_,
                         void *data _U_)
{
    return 0;
}

static void register_floor(void)
{
    proto_floor = proto_register_protocol("Agent TLS Verdict benchmark floor", "AgentTLSFloor",
                                          "agenttls_floor");
    floor_handle = create_dissector_handle(dissect_floor, proto_floor);
}

static void handoff_floor(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    int stream = proto_registrar_get_id_byname("tcp.stream");
    g_array_append_val(wanted, stream);
    register_postdissector(floor_handle);
    set_postdissector_wanted_hfids(floor_handle, wanted);
}

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = register_floor;
    plugin.register_handoff = handoff_floor;
    proto_register_plugin(&plugin);
}
