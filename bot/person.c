/*
 * person.c: owned name/address pairs.
 */
#include <stdlib.h>

#include "person.h"
#include "xalloc.h"

void person_set(struct person *p, const char *name, const char *address)
{
	char *n = xstrdup(name ? name : "");
	char *a = xstrdup(address ? address : "");

	person_release(p);
	p->name = n;
	p->address = a;
}

void person_release(struct person *p)
{
	free(p->name);
	free(p->address);
	p->name = NULL;
	p->address = NULL;
}
