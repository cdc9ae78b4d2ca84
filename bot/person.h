/*
 * person.h: a name and an address, as mail headers and trailers carry them.
 */
#ifndef PATCHLETTER_PERSON_H
#define PATCHLETTER_PERSON_H

struct person {
	char *name;    /* owned, decoded UTF-8; "" when the mail gave none */
	char *address; /* owned, as written (local@domain); "" when none */
};

#define PERSON_INIT {NULL, NULL}

/* Set both fields to owned copies of name and address (NULL becomes ""). */
void person_set(struct person *p, const char *name, const char *address);
/* Free both fields; p may be zeroed or set. */
void person_release(struct person *p);

#endif
