/* Only this comment mentions _("this") and N_("that"). */
const char *text = "a string holding _(\"that\") is no call either";
