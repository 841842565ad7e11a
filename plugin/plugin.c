/* Plugin entry points that Wireshark looks up by name when it loads us. */
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "agenttls_version.h"

void proto_register_agenttls(void);
void proto_reg_handoff_agenttls(void);
void agenttls_register_stats_tree(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = AGENTTLS_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = AGENTTLS_WIRESHARK_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = AGENTTLS_WIRESHARK_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = proto_register_agenttls;
    plugin.register_handoff = proto_reg_handoff_agenttls;
    proto_register_plugin(&plugin);

    static tap_plugin stats;
    stats.register_tap_listener = agenttls_register_stats_tree;
    tap_register_plugin(&stats);
}
