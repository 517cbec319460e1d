#include <glib/gi18n.h>

const char *listed (void) { return _("Listed"); }
