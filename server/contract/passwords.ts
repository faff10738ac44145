// Password lengths, counted in code points: the server's rule and the forms' hints alike.

/** CNIL's 50-bit case (with throttling) and ASVS's no-composition-rule advice: length only. */
export const PASSWORD_MIN_CODE_POINTS = 12;
/** Long passphrases are welcome; past this the input is abuse, not a password. */
export const PASSWORD_MAX_CODE_POINTS = 1024;
