#include <glib/gi18n.h>

const char *
plural (unsigned long n)
{
  return ngettext ("%lu socket", "%lu sockets", n);
}
