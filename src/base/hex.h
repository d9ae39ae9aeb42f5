/* Hexadecimal digits, shared by digest parsing (core) and TOML escapes (toml). */
#ifndef PW_BASE_HEX_H
#define PW_BASE_HEX_H

/* The value of one hex digit (either case), or -1. */
int pw_hex_digit(int c);

#endif
