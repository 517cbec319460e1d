#include <glib/gi18n.h>

static const char *names[] = { N_("Unlisted") };
