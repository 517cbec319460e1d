int no_strings;
